//go:build unix

package actors

import (
	"crypto/tls"
	"errors"
	"net"
	"syscall"
)

// peerClosed reports, without blocking, whether the socket under an idle
// connection has something to read: the server closed it or wrote what
// nobody asked for. Either way the connection is of no further use. With
// no reader goroutine watching idle connections, the pool looks before
// it hands one out.
func peerClosed(conn net.Conn) bool {
	if tc, ok := conn.(*tls.Conn); ok {
		conn = tc.NetConn()
	}
	sc, ok := conn.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	var readable bool
	var buf [1]byte
	err = rc.Read(func(fd uintptr) bool {
		n, _, err := syscall.Recvfrom(int(fd), buf[:], syscall.MSG_PEEK|syscall.MSG_DONTWAIT)
		switch {
		case n > 0, err == nil: // data, or 0 bytes: the peer closed
			readable = true
		case errors.Is(err, syscall.EAGAIN), errors.Is(err, syscall.EINTR):
		default:
			readable = true // ECONNRESET and the like
		}
		return true // never wait
	})
	return readable || err != nil
}
