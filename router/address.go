package router

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
)

// defaultPort is the Bolt port assumed for an address without one.
const defaultPort = "7687"

// normalizeAddress checks a "host:port" address and returns its canonical
// form (net.JoinHostPort). A host without a port gets the default Bolt
// port; an IPv6 host needs brackets.
func normalizeAddress(address string) (string, error) {
	if address == "" {
		return "", errors.New("empty address")
	}
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		host, port, err = splitWithoutPort(address)
		if err != nil {
			return "", err
		}
	}
	if host == "" {
		return "", fmt.Errorf("address %q has no host", address)
	}
	if strings.ContainsFunc(host, badHostRune) {
		return "", fmt.Errorf("address %q has a character a host name cannot have", address)
	}
	n, err := strconv.Atoi(port)
	if err != nil || n < 1 || n > 65535 || port[0] == '+' || port[0] == '0' {
		return "", fmt.Errorf("address %q has an invalid port", address)
	}
	return net.JoinHostPort(host, port), nil
}

// splitWithoutPort accepts "host" and "[ipv6]" (no port).
func splitWithoutPort(address string) (host, port string, err error) {
	if strings.HasPrefix(address, "[") && strings.HasSuffix(address, "]") {
		return address[1 : len(address)-1], defaultPort, nil
	}
	if strings.ContainsAny(address, ":[]") {
		return "", "", fmt.Errorf("address %q is not host:port", address)
	}
	return address, defaultPort, nil
}

// badHostRune reports runes no host name or IP literal contains.
func badHostRune(r rune) bool {
	return r <= ' ' || r == 0x7f || strings.ContainsRune("/\\@?#[]", r)
}

// splitHostPort splits a normalized address.
func splitHostPort(address string) (host, port string) {
	host, port, err := net.SplitHostPort(address)
	if err != nil {
		return address, defaultPort
	}
	return host, port
}
