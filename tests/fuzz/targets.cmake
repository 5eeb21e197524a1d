# The libFuzzer targets: one per parser that takes outside bytes. Each is tests/fuzz/<name>.cpp
# with its seed corpus in tests/fuzz/<name>_seeds/. Read by tests/fuzz/CMakeLists.txt (the
# ctests), tests/fuzz/project/CMakeLists.txt (the clang build) and scripts/fuzz (the campaign).
set(FERRUM_FUZZ_TARGETS
  tftpd_packet_fuzz
  http_request_head_fuzz
  boot_query_fuzz
  yaml_fuzz
  patch_fuzz
  selectors_fuzz
  k8s_protobuf_fuzz
  schema_validator_fuzz
  smbios_fuzz
  uapi_codec_fuzz
  netlink_fuzz
  kmsg_line_fuzz
  kube_config_fuzz)
