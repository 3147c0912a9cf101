# A security group is imported by its (lower-case) name.
terraform import hardened_security_group.web webservers
