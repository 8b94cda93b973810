-- Dossier submissions through the gateway's JSON API, as an agency system acting for a
-- citizen (WRK_API_KEY), each with two attachments of WRK_ATTACHMENT_BYTES (PDF) and its own
-- idempotency key, so every request is a new dossier committed durably.
dofile(os.getenv("WRK_REPORT"))

local counter = 0
local prefix

local function pdf(bytes)
  local head, tail = "%PDF-1.4\n", "\n%%EOF\n"
  return head .. string.rep("A", math.max(0, bytes - #head - #tail)) .. tail
end

-- Base64 of the attachment, computed once per thread.
local function base64(data)
  local chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
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

local body

init = function(args)
  math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
  prefix = string.format("wrk-%d-%d", os.time(), math.random(1, 1e9))
  local file = base64(pdf(tonumber(os.getenv("WRK_ATTACHMENT_BYTES") or "100000")))
  body = '{"agencyCode":"000.01.20.H26","procedureCode":"1.001193","formData":{'
    .. '"nguoi_yeu_cau_ho_ten":"Nguyễn Văn An","nguoi_yeu_cau_so_dinh_danh":"001099012345",'
    .. '"nguoi_yeu_cau_noi_cu_tru":"12 Phúc Xá, Ba Đình","quan_he_voi_nguoi_duoc_khai_sinh":"Cha",'
    .. '"ho_ten":"Nguyễn Minh Khôi","ngay_sinh":"2026-11-01","gioi_tinh":"Nam","dan_toc":"Kinh",'
    .. '"quoc_tich":"Việt Nam","noi_sinh":"Bệnh viện Phụ sản Hà Nội","que_quan":"Hà Nội"},'
    .. '"attachments":[{"name":"to-khai.pdf","content":"' .. file .. '"},'
    .. '{"name":"giay-chung-sinh.pdf","content":"' .. file .. '"}]}'
end

request = function()
  counter = counter + 1
  return wrk.format("POST", nil, {
    ["Content-Type"] = "application/json",
    ["Authorization"] = os.getenv("WRK_API_KEY"),
    ["X-DVC-On-Behalf-Of"] = "citizen:001099012345",
    ["Idempotency-Key"] = prefix .. "-" .. counter,
  }, body)
end
