-- What the three submission scripts share: the same dossier every way (WRK_AGENCY,
-- WRK_PROCEDURE, two PDF attachments of WRK_ATTACHMENT_BYTES), each request a new dossier
-- with its own idempotency key and attachments whose bytes differ from every other request's
-- (the store keeps identical files once, which would flatter the run), as dossier-bench sends
-- them over the binary RPC.
submission = {}

local counter = 0
local prefix

submission.init = function()
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  prefix = string.format("wrk%d%d", os.time() % 100000, math.random(1, 1e6))
  submission.agency = os.getenv("WRK_AGENCY") or "000.01.20.H26"
  submission.procedure = os.getenv("WRK_PROCEDURE") or "1.004873"
  local bytes = tonumber(os.getenv("WRK_ATTACHMENT_BYTES") or "100000")
  -- Everything after the first 33 bytes, which name the request (33 is a multiple of 3, so
  -- the base64 of the head and of this rest can be joined).
  submission.rest = string.rep("A", math.max(0, bytes - 33 - 7)) .. "\n%%EOF\n"
end

-- The next request's idempotency key and the 33-byte head of its attachment `n`.
submission.next = function()
  counter = counter + 1
  local id = prefix .. "-" .. counter
  local head = function(n) return string.format("%%PDF-1.4\n%% %-21s\n", id .. "-" .. n):sub(1, 33) end
  return id, head
end

local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
submission.base64 = function(data)
  local out = {}
  for i = 1, #data, 3 do
    local a, b, c = data:byte(i, i + 2)
    local n = a * 65536 + (b or 0) * 256 + (c or 0)
    local c1, c2 = math.floor(n / 262144) % 64, math.floor(n / 4096) % 64
    local c3, c4 = math.floor(n / 64) % 64, n % 64
    out[#out + 1] = chars:sub(c1 + 1, c1 + 1) .. chars:sub(c2 + 1, c2 + 1)
      .. (b and chars:sub(c3 + 1, c3 + 1) or "=") .. (c and chars:sub(c4 + 1, c4 + 1) or "=")
  end
  return table.concat(out)
end

-- A multipart/form-data body: `fields` (name, value pairs) then `files` (name, filename, bytes).
submission.boundary = "dvc-bench-boundary-7d1f2c"
submission.multipart = function(fields, files)
  local out = {}
  for _, f in ipairs(fields) do
    out[#out + 1] = "--" .. submission.boundary .. '\r\nContent-Disposition: form-data; name="' .. f[1] .. '"\r\n\r\n' .. f[2] .. "\r\n"
  end
  for _, f in ipairs(files) do
    out[#out + 1] = "--" .. submission.boundary .. '\r\nContent-Disposition: form-data; name="' .. f[1]
      .. '"; filename="' .. f[2] .. '"\r\nContent-Type: application/pdf\r\n\r\n' .. f[3] .. "\r\n"
  end
  out[#out + 1] = "--" .. submission.boundary .. "--\r\n"
  return table.concat(out)
end
