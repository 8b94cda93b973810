-- Dossier submissions through the gateway's JSON API with the files as multipart parts (the
-- request in the part `request`, the files raw in parts `attachments`), as an agency system
-- acting for a citizen (WRK_API_KEY); the dossier as submission.lua describes.
dofile(os.getenv("WRK_REPORT"))
dofile(os.getenv("WRK_SUBMISSION"))

init = function(args)
  submission.init()
end

request = function()
  local id, head = submission.next()
  local json = '{"agencyCode":"' .. submission.agency .. '","procedureCode":"' .. submission.procedure .. '"}'
  local body = submission.multipart({{"request", json}}, {
    {"attachments", "to-khai.pdf", head(1) .. submission.rest},
    {"attachments", "giay-to.pdf", head(2) .. submission.rest},
  })
  return wrk.format("POST", nil, {
    ["Content-Type"] = "multipart/form-data; boundary=" .. submission.boundary,
    ["Authorization"] = os.getenv("WRK_API_KEY"),
    ["X-DVC-On-Behalf-Of"] = "citizen:001099012345",
    ["Idempotency-Key"] = id,
  }, body)
end
