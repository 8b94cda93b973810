-- Dossier submissions through the gateway's JSON API with the files in base64, as an agency
-- system acting for a citizen (WRK_API_KEY); the dossier as submission.lua describes.
dofile(os.getenv("WRK_REPORT"))
dofile(os.getenv("WRK_SUBMISSION"))

local rest64

init = function(args)
  submission.init()
  rest64 = submission.base64(submission.rest)
end

request = function()
  local id, head = submission.next()
  local body = '{"agencyCode":"' .. submission.agency .. '","procedureCode":"' .. submission.procedure .. '",'
    .. '"attachments":[{"name":"to-khai.pdf","content":"' .. submission.base64(head(1)) .. rest64 .. '"},'
    .. '{"name":"giay-to.pdf","content":"' .. submission.base64(head(2)) .. rest64 .. '"}]}'
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = os.getenv("WRK_API_KEY"),
    ["X-DVC-On-Behalf-Of"] = "citizen:001099012345",
    ["Idempotency-Key"] = id,
  }, body)
end
