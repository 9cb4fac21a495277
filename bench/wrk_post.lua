-- bench/wrk_post.lua - the wrk script of bench/run_delivery.sh and
-- bench/run_callgrind_delivery.sh: UGW_BENCH_BODIES names the folder that
-- `bench_delivery --write-bodies` filled.
-- POSTs the fixture bodies in turn, each with the headers ugw sends.
-- The requests are formatted once in init(); request() only picks one.
local dir = os.getenv("UGW_BENCH_BODIES")
local reqs = {}
local n = 0

init = function(args)
    for i = 1, 99 do
        local f = io.open(string.format("%s/%02d.json", dir, i), "rb")
        if not f then break end
        local body = f:read("*a")
        f:close()
        local headers = {}
        for line in io.lines(string.format("%s/%02d.headers", dir, i)) do
            local k, v = line:match("^([^:]+):%s*(.-)%s*$")
            if k then headers[k] = v end
        end
        reqs[#reqs + 1] = wrk.format("POST", nil, headers, body)
    end
    if #reqs == 0 then error("no bodies in " .. tostring(dir)) end
end

request = function()
    n = n % #reqs + 1
    return reqs[n]
end

done = function(summary, latency, requests)
    local e = summary.errors
    io.write(string.format(
        "WRK_RESULT requests=%d duration_us=%d rps=%.0f errors=%d status_errors=%d p50_us=%d p99_us=%d\n",
        summary.requests, summary.duration, summary.requests / (summary.duration / 1e6),
        e.connect + e.read + e.write + e.timeout, e.status,
        latency:percentile(50), latency:percentile(99)))
end
