# Lets this example directory stand alone (terraform init + validate in
# TestAccExamplesValidate); the documentation shows the other file only.
terraform {
  required_providers {
    hardened = {
      source = "hardened-pve/hardened"
    }
  }
}
