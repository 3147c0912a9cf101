//go:build unix

package main

import "syscall"

// selfUsage is this process's user+system CPU seconds and peak RSS in KiB
// (Linux reports ru_maxrss in KiB; macOS and the BSDs in bytes or KiB, so
// the figure is exact on Linux, where `make bench` runs).
func selfUsage() (float64, int64) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	cpu := float64(ru.Utime.Sec+ru.Stime.Sec) + float64(ru.Utime.Usec+ru.Stime.Usec)/1e6
	return cpu, int64(ru.Maxrss) //nolint:unconvert // int32 on 386 and arm
}
