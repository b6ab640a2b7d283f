check_config.o: build/seams/check_config.c harness/hbm/config/hbm_cfg.h
harness/hbm/config/hbm_cfg.h:
