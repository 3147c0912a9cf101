terraform {
  # No provider: the module only returns values.
  required_version = ">= 1.5.7"
}
