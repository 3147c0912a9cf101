// Package exampletest holds the tests of the examples: every directory of
// examples/ passes terraform init and validate on its own
// (TestAccExamplesValidate), and the example modules in
// examples/modules, the README's platform-team story: a module with the
// organisation's baseline (platform-baseline), a wrapper module around
// hardened_container (hardened-app), and two team root configurations
// (team-web, team-data) that pass the baseline to their provider block.
//
// TestAccExampleModules runs the real Terraform CLI (init, apply, plan, output, destroy)
// with the provider built from this tree against the PVE simulator; each
// team configuration's provider block is pointed at the simulator by an
// override file that keeps its baseline. It runs with TF_ACC set.
package exampletest
