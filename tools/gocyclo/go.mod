module github.com/hardened-pve/terraform-provider-hardened/tools/gocyclo

go 1.26.0

require github.com/fzipp/gocyclo v0.6.0
