-- wrk: each request asks /ipxe for one of N cached Servers (bound ones boot `default`), or,
-- with STATIC set, the same static path every time; the Lua cost is the same for both peers.
local n = tonumber(os.getenv("SERVERS") or "10000")
local static = os.getenv("STATIC")
local i = 0
request = function()
  i = (i + 2) % n
  if static then return wrk.format("GET", static) end
  return wrk.format("GET", string.format("/ipxe?uuid=be000000-0000-4000-8000-%012x&mac=52-54-00-12-34-56&arch=x86_64", i))
end
