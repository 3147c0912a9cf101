package nodefs

import "strings"

// Quote returns s quoted for a POSIX shell (sh, dash, bash, zsh), so that the
// shell passes it on as exactly one word, byte for byte, with no expansion of
// any kind.
//
// Strings made only of characters that no shell treats specially
// ([A-Za-z0-9] and "_-./,:@+") are returned as they are; the empty string
// becomes a pair of single quotes; anything else is wrapped in single quotes,
// with each single quote inside replaced by close-quote, backslash-quote,
// reopen-quote:
//
//	it's  ->  'it'\''s'
//
// Inside single quotes a POSIX shell interprets nothing: not $, backticks,
// backslashes, !, newlines or globs.
//
// A NUL byte cannot be part of a shell word or of a command argument at all;
// Run rejects such arguments before quoting.
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if isShellSafe(s) {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// isShellSafe reports whether s needs no quoting. '=' is deliberately not
// safe (a leading word "A=b" would be a variable assignment), nor '~'
// (tilde expansion), nor '%' (bash job specs), nor any byte >= 0x80
// (locale-dependent shells).
func isShellSafe(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("_-./,:@+", c) >= 0:
		default:
			return false
		}
	}
	return true
}
