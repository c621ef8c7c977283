{
  "targets": [
    {
      "target_name": "event_scan",
      "sources": ["native/event-scan.cc"],
      "cflags_cc": ["-O2", "-std=c++17", "-fno-exceptions", "-Wno-deprecated-declarations"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
