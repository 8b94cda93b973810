-- A catalog read through the gateway's JSON API: POST GetProcedure for a level-4 procedure.
dofile(os.getenv("WRK_REPORT"))
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"agencyCode":"000.01.20.H26","procedureCode":"1.001193"}'
