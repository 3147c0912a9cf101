# A cluster has one datacenter firewall: its ID is always "cluster".
terraform import hardened_cluster_firewall.dc cluster
