package router

import "sync/atomic"

// leastConnected picks the server with the fewest connections in use
// (load nil: all equal). Servers tied for the fewest take turns: every
// call advances cursor, and the call picks the tied server at that
// position among the tied ones, so each gets an even share.
func leastConnected(servers []string, cursor *atomic.Uint64, load func(string) int) (string, bool) {
	n := len(servers)
	switch {
	case n == 0:
		return "", false
	case n == 1:
		return servers[0], true
	}
	turn := cursor.Add(1) - 1
	if load == nil {
		return servers[turn%uint64(n)], true
	}
	var buf [16]int
	loads := buf[:0]
	if n > len(buf) {
		loads = make([]int, 0, n)
	}
	lowest, ties := 0, 0
	for i, s := range servers {
		l := load(s)
		loads = append(loads, l)
		switch {
		case i == 0 || l < lowest:
			lowest, ties = l, 1
		case l == lowest:
			ties++
		}
	}
	k := int(turn % uint64(ties))
	for i, l := range loads {
		if l == lowest {
			if k == 0 {
				return servers[i], true
			}
			k--
		}
	}
	return servers[0], true // not reached: there is at least one tie
}
