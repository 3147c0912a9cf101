// Package regotest holds the test of the example Rego policy in
// examples/policy/opa: its OPA unit tests (opa test), and the policy run by
// the real OPA on the JSON of a real `terraform plan` of hardened_container
// resources against the PVE simulator, as the example's README describes.
//
// OPA is found through HARDENED_OPA, else bin/opa in the repository (make
// opa), else PATH; without it the test is skipped, or fails when
// HARDENED_TEST_REQUIRE lists "opa" (CI).
package regotest
