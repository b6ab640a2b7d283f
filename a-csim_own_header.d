csim_own_header.o: build/seams/csim_own_header.c csim/fp.h
csim/fp.h:
