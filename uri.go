package boltrx

import (
	"errors"
	"net"
	"net/url"
	"strconv"
	"strings"
)

// DefaultPort is the Bolt port used when the URI names none.
const DefaultPort = 7687

// tlsMode says whether and how a connection is encrypted.
type tlsMode int

const (
	tlsOff                tlsMode = iota // plain TCP (bolt, neo4j)
	tlsVerified                          // TLS with full certificate verification (+s)
	tlsSelfSignedAccepted                // TLS accepting any certificate, e.g. self-signed (+ssc)
)

// String names the mode for logs and messages.
func (m tlsMode) String() string {
	switch m {
	case tlsOff:
		return "off"
	case tlsVerified:
		return "verified"
	case tlsSelfSignedAccepted:
		return "self-signed accepted"
	}
	return "tlsMode(" + strconv.Itoa(int(m)) + ")"
}

// uriScheme describes one of the supported URI schemes.
type uriScheme struct {
	routing bool
	tls     tlsMode
}

// uriSchemes are the supported schemes, in the order error messages list
// them.
var uriSchemes = []struct {
	name string
	uriScheme
}{
	{"bolt", uriScheme{routing: false, tls: tlsOff}},
	{"bolt+s", uriScheme{routing: false, tls: tlsVerified}},
	{"bolt+ssc", uriScheme{routing: false, tls: tlsSelfSignedAccepted}},
	{"neo4j", uriScheme{routing: true, tls: tlsOff}},
	{"neo4j+s", uriScheme{routing: true, tls: tlsVerified}},
	{"neo4j+ssc", uriScheme{routing: true, tls: tlsSelfSignedAccepted}},
}

// routingContextAddressKey is the routing context entry the driver fills
// in itself with the address of the server it talks to.
const routingContextAddressKey = "address"

// parsedURI is a validated driver target.
type parsedURI struct {
	Scheme  string  // lower-cased, e.g. "neo4j+s"
	Routing bool    // neo4j* schemes: discover the cluster through ROUTE
	TLS     tlsMode // from the scheme's suffix
	Host    string  // host name or IP, IPv6 without brackets
	Port    int     // 1..65535, DefaultPort when the URI names none
	Address string  // "host:port", IPv6 in brackets
	// RoutingContext holds the query parameters of a neo4j* URI, sent to
	// the server in HELLO and ROUTE (the driver adds "address" itself).
	// It is non-nil exactly when Routing is true.
	RoutingContext map[string]string
}

// parseURI validates a driver target such as "neo4j+s://db.example.com" or
// "bolt://[::1]:7688". Every error is a *UsageError saying what is wrong
// and what to write instead. Error messages never repeat user info (a
// password) that the URI may contain.
func parseURI(target string) (parsedURI, error) {
	display := redactUserInfo(strings.TrimSpace(target))
	raw := strings.TrimSpace(target)
	if raw == "" {
		return parsedURI{}, usageErrorf("empty URI: give the server's address, e.g. neo4j://localhost:7687")
	}
	if !strings.Contains(raw, "://") {
		return parsedURI{}, usageErrorf("URI %q has no scheme: write it as <scheme>://<host>[:<port>] with a scheme among %s", display, schemeList())
	}
	u, err := url.Parse(raw)
	if err != nil {
		var urlErr *url.Error
		if errors.As(err, &urlErr) {
			err = urlErr.Err // the url.Error text would repeat the raw URI
		}
		return parsedURI{}, usageErrorf("invalid URI %q: %v", display, err)
	}

	var p parsedURI
	p.Scheme = strings.ToLower(u.Scheme)
	scheme, ok := lookupScheme(p.Scheme)
	if !ok {
		return parsedURI{}, usageErrorf("URI %q: unsupported scheme %q: use one of %s", display, u.Scheme, schemeList())
	}
	p.Routing, p.TLS = scheme.routing, scheme.tls

	if u.User != nil {
		return parsedURI{}, usageErrorf("URI %q contains user info: remove it and pass the credentials as the auth token, e.g. BasicAuth(user, password, \"\")", display)
	}
	if u.Path != "" && u.Path != "/" {
		return parsedURI{}, usageErrorf("URI %q has the path %q, which the driver does not use: to choose a database set SessionConfig.DatabaseName", display, u.Path)
	}
	if u.Fragment != "" {
		return parsedURI{}, usageErrorf("URI %q has a fragment (#%s): remove it", display, u.Fragment)
	}

	p.Host = u.Hostname()
	if p.Host == "" {
		return parsedURI{}, usageErrorf("URI %q has no host: write it as %s://<host>[:<port>]", display, p.Scheme)
	}
	if p.Port, err = parsePort(u.Port()); err != nil {
		return parsedURI{}, usageErrorf("URI %q: %v", display, err)
	}
	p.Address = net.JoinHostPort(p.Host, strconv.Itoa(p.Port))

	if !p.Routing {
		if u.RawQuery != "" || u.ForceQuery {
			return parsedURI{}, usageErrorf("URI %q has a query (?%s), but a routing context is only allowed with the neo4j, neo4j+s and neo4j+ssc schemes: remove the query or use a neo4j scheme", display, u.RawQuery)
		}
		return p, nil
	}
	if p.RoutingContext, err = parseRoutingContext(u.RawQuery); err != nil {
		return parsedURI{}, usageErrorf("URI %q: %v", display, err)
	}
	return p, nil
}

func lookupScheme(name string) (uriScheme, bool) {
	for _, s := range uriSchemes {
		if s.name == name {
			return s.uriScheme, true
		}
	}
	return uriScheme{}, false
}

// schemeList returns the supported schemes for messages.
func schemeList() string {
	names := make([]string, len(uriSchemes))
	for i, s := range uriSchemes {
		names[i] = s.name
	}
	return strings.Join(names, ", ")
}

// parsePort validates the port part of a URI ("" means DefaultPort).
func parsePort(s string) (int, error) {
	if s == "" {
		return DefaultPort, nil
	}
	port, err := strconv.Atoi(s)
	if err != nil || port < 1 || port > 65535 {
		return 0, errors.New("port " + strconv.Quote(s) + " is not a number from 1 to 65535")
	}
	return port, nil
}

// parseRoutingContext turns the query of a neo4j* URI into the routing
// context: every key once, with a non-empty value, and never "address".
func parseRoutingContext(rawQuery string) (map[string]string, error) {
	values, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, errors.New("cannot read the routing context in the query: " + err.Error())
	}
	ctx := make(map[string]string, len(values))
	for key, vals := range values {
		switch {
		case key == "":
			return nil, errors.New("routing context has an entry without a key: write ?key=value&key2=value2")
		case key == routingContextAddressKey:
			return nil, errors.New(`routing context key "address" is reserved for the driver: remove it`)
		case len(vals) > 1:
			return nil, errors.New("routing context key " + strconv.Quote(key) + " appears more than once: give it once")
		}
		value := strings.TrimSpace(vals[0])
		if value == "" {
			return nil, errors.New("routing context key " + strconv.Quote(key) + " has no value: write ?" + key + "=<value>")
		}
		ctx[key] = value
	}
	return ctx, nil
}

// redactUserInfo replaces the user info of a URI ("user:password@") with
// "REDACTED@" so the URI can appear in messages. It works on the raw text
// because it must also handle URIs that do not parse.
func redactUserInfo(s string) string {
	i := strings.Index(s, "://")
	if i < 0 {
		return s
	}
	authorityStart := i + len("://")
	authorityEnd := len(s)
	if j := strings.IndexAny(s[authorityStart:], "/?#"); j >= 0 {
		authorityEnd = authorityStart + j
	}
	at := strings.LastIndex(s[authorityStart:authorityEnd], "@")
	if at < 0 {
		return s
	}
	return s[:authorityStart] + "REDACTED" + s[authorityStart+at:]
}
