package policy

import "github.com/hardened-pve/terraform-provider-hardened/internal/hardening"

// backupRules are the rules about the cluster's scheduled backup jobs.
func backupRules() []Rule {
	return []Rule{{
		ID: "HC-BAK-001", Title: "Container is covered by an enabled scheduled backup job", Severity: SeverityMedium, Attribute: "vmid",
		Rationale: seed000 + ` checklist: "Automated backup snapshot configured (Proxmox scheduled backup)". Hardening narrows what an attacker can do; ` +
			`a backup is what recovers the container after a compromise, a destructive mistake or a failed update. PVE's scheduled backups are its ` +
			`backup jobs (/cluster/backup, /etc/pve/jobs.cfg): a job backs a container up when it is enabled, runs on the container's node (every ` +
			`node unless the job names one) and selects it (all guests but the excluded, its pool, or its VMID). The job list is cluster-wide ` +
			`and observed once per Terraform run; a container cannot change it, so a failure is reported (compliance, audit, a plan warning) ` +
			`but does not fail the container's plan, which must not block the apply that creates the job.`,
		why: "A container no scheduled backup job covers cannot be restored after a compromise or a mistake.",
		Remedy: "Create a backup job that selects the container: `resource \"hardened_backup_job\" \"nightly\" { schedule = \"21:00\", storage = " +
			"\"backup\", all = true }` (or `vmids = [hardened_container.x.vmid]`), or enable the job that should cover it.",
		check: checkBackup,
	}, {
		ID: "HC-MON-001", Title: "Required monitoring files are present in the container", Severity: SeverityMedium, Attribute: "vmid",
		Rationale: seed000 + ` checklist: "Wazuh agent installed and reporting to SIEM"; its conclusion: "continuous monitoring via Wazuh closes the ` +
			`detection gap that prevention controls leave open." The baseline names the files an agent leaves in the container (e.g. ` +
			`/var/ossec/bin/wazuh-agentd); the provider checks them inside the running container through PVE's pct exec (test -e), it does not ` +
			`install agents, and whether the agent reports is the SIEM's to verify. A container that is not running cannot be checked and fails. ` +
			`The rule is off while required_guest_files is empty; a failure is a plan warning (the container's configuration cannot fix it).`,
		why:    "A container without its monitoring agent is a blind spot: a compromise there goes unseen.",
		Remedy: "Install the agent in the container (or its template) so that the baseline's required_guest_files exist, and keep the container running.",
		check:  checkGuestFiles,
	}}
}

// checkGuestFiles is HC-MON-001.
func checkGuestFiles(s hardening.Spec, b Baseline) (bool, string, []any) {
	if len(b.RequiredGuestFiles) == 0 {
		return true, notRequired + " (no required_guest_files)", nil
	}
	g := s.GuestFiles
	return g.Pending || (g.Observed && len(g.Missing) == 0), g.String(), nil
}

// checkBackup is HC-BAK-001. A Spec whose backup coverage was not observed
// fails: nothing shows the container backed up.
func checkBackup(s hardening.Spec, b Baseline) (bool, string, []any) {
	if !b.RequireBackupJob {
		return true, notRequired + " (" + s.Backup.String() + ")", nil
	}
	return s.Backup.Pending || (s.Backup.Observed && len(s.Backup.Jobs) > 0), s.Backup.String(), nil
}
