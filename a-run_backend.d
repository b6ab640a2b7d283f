run_backend.o: build/seams/run_backend.c harness/cosim/include/backend.h \
 csim/gemv.h csim/sm_unit.h csim/softmax.h csim/fp.h
harness/cosim/include/backend.h:
csim/gemv.h:
csim/sm_unit.h:
csim/softmax.h:
csim/fp.h:
