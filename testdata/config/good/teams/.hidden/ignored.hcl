this is not HCL and must never be read {
