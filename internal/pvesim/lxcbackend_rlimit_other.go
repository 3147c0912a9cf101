//go:build !unix

package pvesim

func nofileHardLimit() uint64 { return 0 }
