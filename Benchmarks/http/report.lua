-- Prints one JSON line at the end of a wrk run, in the format the http-hello anchor prints
-- (a bare Hummingbird hello-world kept outside this repository; docs/performance.md, "The
-- anchors"), and is used for both runs so they sit side by side. Labels come from the
-- environment: WRK_IMPL, WRK_PATH, WRK_CONNECTIONS. Latencies in µs.
done = function(summary, latency, requests)
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  local secs = summary.duration / 1e6
  io.write(string.format(
    '{"impl":"%s","path":"%s","connections":%d,"rps":%.1f,"p50_us":%d,"p99_us":%d,' ..
    '"p999_us":%d,"max_us":%d,"requests":%d,"seconds":%.2f,"errors":%d,"non_2xx":%d}\n',
    os.getenv("WRK_IMPL") or "?", os.getenv("WRK_PATH") or "?",
    tonumber(os.getenv("WRK_CONNECTIONS") or "0"), summary.requests / secs,
    latency:percentile(50), latency:percentile(99), latency:percentile(99.9), latency.max,
    summary.requests, secs, errors, e.status))
end
