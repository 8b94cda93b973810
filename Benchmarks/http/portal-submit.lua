-- Dossier submissions through the portal's online form, as a signed-in citizen's browser
-- posts it: multipart/form-data with the session's CSRF token and the form's idempotency key
-- as fields and one file per document input (WRK_COOKIE, WRK_CSRF, WRK_ORIGIN from the
-- citizen's sign-in); the dossier as submission.lua describes. The answer is the receipt
-- slip page.
dofile(os.getenv("WRK_REPORT"))
dofile(os.getenv("WRK_SUBMISSION"))

init = function(args)
  submission.init()
  wrk.path = "/nop-ho-so/" .. submission.procedure .. "?co_quan=" .. submission.agency
end

request = function()
  local id, head = submission.next()
  local body = submission.multipart({{"csrf_token", os.getenv("WRK_CSRF")}, {"idempotency_key", id}}, {
    {"tep_1", "to-khai.pdf", head(1) .. submission.rest},
    {"tep_2", "giay-to.pdf", head(2) .. submission.rest},
  })
  return wrk.format("POST", wrk.path, {
    ["Content-Type"] = "multipart/form-data; boundary=" .. submission.boundary,
    ["Cookie"] = os.getenv("WRK_COOKIE"),
    ["Origin"] = os.getenv("WRK_ORIGIN"),
  }, body)
end
