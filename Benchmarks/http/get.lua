dofile(os.getenv("WRK_REPORT"))
