package bolt

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"time"
)

// handshakeMagic identifies a Bolt connection; the client sends it first.
var handshakeMagic = [4]byte{0x60, 0x60, 0xB0, 0x17}

const (
	// handshakeSlots is the fixed number of proposals a client sends.
	handshakeSlots = 4
	// manifestMajor in the major byte of a proposal marks a manifest-style
	// handshake request; the minor byte is then the manifest version.
	manifestMajor = 0xFF
	// maxManifestRanges bounds the version ranges a client accepts in a
	// server's manifest, so a hostile server cannot make it read forever.
	maxManifestRanges = 1024
)

// Handshake errors. Errors returned by ClientHandshake and ServerHandshake
// wrap these, a *NoCommonVersionError, a context error or an I/O error.
var (
	// ErrHTTPServer reports a server that answered the handshake in HTTP:
	// the address is an HTTP port, not a Bolt port.
	ErrHTTPServer = errors.New("bolt: the server answered in HTTP: " +
		"this address is an HTTP port; connect to the Bolt port instead (7687 by default)")
	// ErrBadMagic reports a client whose first four bytes are not the Bolt
	// identification 60 60 B0 17.
	ErrBadMagic = errors.New("bolt: the peer did not identify as a Bolt client (bad magic)")
	// ErrBadHandshake reports a handshake answer that breaks the protocol:
	// a version that was not offered, reserved bytes that are not zero, a
	// malformed manifest or capabilities that were not offered.
	ErrBadHandshake = errors.New("bolt: invalid handshake data")
	// ErrInvalidOffer reports a client offer that cannot be sent: more than
	// four proposals, none at all, or a range that spans major versions.
	ErrInvalidOffer = errors.New("bolt: invalid handshake offer")
)

// NoCommonVersionError reports a handshake that found no protocol version
// both sides speak: the server answered 00 00 00 00, or, in a manifest
// handshake, listed none of the versions the client speaks.
type NoCommonVersionError struct {
	// Offered are the client's proposals.
	Offered []VersionRange
	// ServerVersions are the versions the server listed in a manifest
	// handshake; nil when the handshake did not use a manifest.
	ServerVersions []VersionRange
}

// Error implements error; it lists the versions on offer.
func (e *NoCommonVersionError) Error() string {
	var sb strings.Builder
	sb.WriteString("bolt: no Bolt protocol version in common with the server (offered: ")
	sb.WriteString(formatRanges(e.Offered))
	if e.ServerVersions != nil {
		sb.WriteString("; the server speaks: ")
		sb.WriteString(formatRanges(e.ServerVersions))
	}
	sb.WriteString(")")
	return sb.String()
}

func formatRanges(ranges []VersionRange) string {
	names := make([]string, 0, len(ranges))
	for _, r := range ranges {
		if r != (VersionRange{}) {
			names = append(names, r.String())
		}
	}
	if len(names) == 0 {
		return "none"
	}
	return strings.Join(names, ", ")
}

// VersionRange is one proposal of the handshake: Version and the Back minor
// versions right below it, all of the same major version. Back is 0 for a
// single version. Bolt 4.3 introduced ranges (and 4.2 servers understand them
// from a patch release on); older servers ignore Back and see Version alone.
// On the wire a range is the four bytes 00 Back Minor Major.
type VersionRange struct {
	Version Version
	Back    uint8
}

// ManifestV1 is the proposal 00 00 01 FF that asks the server for a manifest
// v1 handshake (Bolt 5.7 and newer servers): the server lists everything it
// speaks and the client picks.
var ManifestV1 = VersionRange{Version: Version{Major: manifestMajor, Minor: 1}}

// IsManifest reports whether r is a manifest request (major byte FF) rather
// than a range of protocol versions.
func (r VersionRange) IsManifest() bool { return r.Version.Major == manifestMajor }

// Lowest returns the oldest version in r (Version itself when Back is 0).
// A Back larger than the minor version reaches down to minor 0.
func (r VersionRange) Lowest() Version {
	return Version{Major: r.Version.Major, Minor: r.Version.Minor - min(r.Back, r.Version.Minor)}
}

// Contains reports whether v is one of the versions r proposes. A manifest
// request and the zero placeholder contain no version.
func (r VersionRange) Contains(v Version) bool {
	if r.IsManifest() || v.IsZero() {
		return false
	}
	return v.Major == r.Version.Major && v.Minor <= r.Version.Minor && v.Minor >= r.Lowest().Minor
}

// String returns "5.8-5.0" for a range, "4.4" for a single version and
// "manifest v1" for a manifest request.
func (r VersionRange) String() string {
	switch {
	case r.IsManifest():
		return fmt.Sprintf("manifest v%d", r.Version.Minor)
	case r.Back == 0:
		return r.Version.String()
	default:
		return r.Version.String() + "-" + r.Lowest().String()
	}
}

func (r VersionRange) appendTo(b []byte) []byte {
	return append(b, 0, r.Back, r.Version.Minor, r.Version.Major)
}

func parseVersionRange(b []byte) VersionRange {
	return VersionRange{Back: b[1], Version: Version{Major: b[3], Minor: b[2]}}
}

// DefaultOffer returns the four proposals ClientHandshake sends when given
// none:
//
//	00 00 01 FF  manifest v1: Neo4j 5.26 and newer (Bolt 5.7+, all of 6.x)
//	00 08 08 05  5.8 down to 5.0: Neo4j 5.0 to 5.25
//	00 04 04 04  4.4 down to 4.0: Neo4j 4.3 and 4.4, and 4.2 from the patch
//	             release that understands ranges
//	00 00 00 03  3.0: Neo4j 3.5, and 4.0 to 4.2 servers that do not
//	             understand ranges
//
// The trade-off is in the last two slots. Servers before the range support
// read 00 04 04 04 as 4.4 alone, so Neo4j 4.0, 4.1 and early 4.2 only match
// the last slot. Spending it on 3.0 keeps Neo4j 3.5 reachable and lets those
// 4.x servers fall back to Bolt 3.0 (no multiple databases); spending it on
// 4.0 or 4.1 would give them Bolt 4 but lock out 3.5. All of these servers
// are long out of support, so the offer keeps every server generation
// reachable rather than favouring one of them. The 4.x range reaches down to
// 4.0 although only 4.2+ servers read it, like the specification's example;
// it costs nothing.
func DefaultOffer() []VersionRange {
	return []VersionRange{
		ManifestV1,
		{Version: V5_8, Back: 8},
		{Version: V4_4, Back: 4},
		{Version: V3_0},
	}
}

// PreRangeOffer returns the proposals for deployments with Neo4j 4.0 to
// 4.2 servers, which read no version ranges (see DefaultOffer):
//
//	00 08 08 05  5.8 down to 5.0: Neo4j 5.x and newer
//	00 02 04 04  4.4 down to 4.2: Neo4j 4.3 and 4.4
//	00 00 01 04  4.1: Neo4j 4.1, and 4.2 (which also speaks 4.1)
//	00 00 00 03  3.0: Neo4j 3.5 and 4.0
//
// A 4.1 or 4.2 server then speaks Bolt 4.1 (with multiple databases)
// instead of 3.0. The price is the manifest slot: servers get at most
// Bolt 5.8, never 6.x.
func PreRangeOffer() []VersionRange {
	return []VersionRange{
		{Version: V5_8, Back: 8},
		{Version: V4_4, Back: 2},
		{Version: V4_1},
		{Version: V3_0},
	}
}

// HandshakeResult is what a handshake agreed on.
type HandshakeResult struct {
	// Version is the negotiated protocol version.
	Version Version
	// Manifest reports that the version was negotiated through manifest v1.
	Manifest bool
	// Capabilities are the manifest capability bits the client selected
	// (a subset of what the server offered); 0 without a manifest.
	Capabilities uint64
}

// ClientHandshakeConfig is the client side's part of a handshake, for
// callers who need more control than ClientHandshake gives.
type ClientHandshakeConfig struct {
	// Offer holds up to four proposals in order of preference; nil means
	// DefaultOffer(). Unused slots are sent as the placeholder 00 00 00 00.
	Offer []VersionRange
	// Supported are the versions the client may pick from a server's
	// manifest, in order of preference; nil means SupportedVersions
	// (newest first).
	Supported []Version
	// Capabilities are the manifest capability bits the client would
	// select; it selects those the server offers. No bit is defined yet.
	Capabilities uint64
}

// ClientHandshake performs the client side of the handshake on conn: it
// sends the identification 60 60 B0 17 and the four proposals of offer (nil
// means DefaultOffer()) and reads the server's answer. When the server
// answers with a manifest, the client picks the newest version of
// SupportedVersions the server lists and selects no capability bits.
//
// ctx bounds the handshake: its deadline becomes conn's deadline and
// cancelling it interrupts the handshake. ClientHandshake clears conn's
// deadline when it returns.
func ClientHandshake(ctx context.Context, conn net.Conn, offer []VersionRange) (HandshakeResult, error) {
	return ClientHandshakeWithConfig(ctx, conn, ClientHandshakeConfig{Offer: offer})
}

// ClientHandshakeWithConfig is ClientHandshake with every choice of the
// client side in cfg.
func ClientHandshakeWithConfig(ctx context.Context, conn net.Conn, cfg ClientHandshakeConfig) (res HandshakeResult, err error) {
	offer := cfg.Offer
	if offer == nil {
		offer = DefaultOffer()
	}
	if err := validateOffer(offer); err != nil {
		return res, err
	}
	done, err := beginHandshake(ctx, conn, &cfg.Supported)
	if err != nil {
		return res, err
	}
	defer func() { err = done(err) }()

	request := make([]byte, 0, len(handshakeMagic)+handshakeSlots*4)
	request = append(request, handshakeMagic[:]...)
	for i := range handshakeSlots {
		var r VersionRange // placeholder for unused slots
		if i < len(offer) {
			r = offer[i]
		}
		request = r.appendTo(request)
	}
	if _, err := conn.Write(request); err != nil {
		return res, fmt.Errorf("bolt: handshake: sending the proposals: %w", err)
	}

	var answer [4]byte
	if err := readHandshake(conn, answer[:], "reading the server's answer"); err != nil {
		return res, err
	}
	if string(answer[:]) == "HTTP" {
		return res, ErrHTTPServer
	}
	if answer == [4]byte{} {
		return res, &NoCommonVersionError{Offered: offer}
	}
	if answer[0] != 0 || answer[1] != 0 {
		return res, fmt.Errorf("%w: the server answered % X", ErrBadHandshake, answer)
	}
	chosen := parseVersionRange(answer[:])
	if chosen.IsManifest() {
		if chosen != ManifestV1 || !offers(offer, ManifestV1) {
			return res, fmt.Errorf("%w: the server answered %v, which was not offered", ErrBadHandshake, chosen)
		}
		return clientManifestV1(conn, offer, cfg)
	}
	if !offersVersion(offer, chosen.Version) {
		return res, fmt.Errorf("%w: the server chose version %v, which was not offered", ErrBadHandshake, chosen.Version)
	}
	return HandshakeResult{Version: chosen.Version}, nil
}

// clientManifestV1 completes a manifest v1 handshake after the server's
// 00 00 01 FF: it reads the server's versions and capabilities and sends the
// choice.
func clientManifestV1(conn net.Conn, offer []VersionRange, cfg ClientHandshakeConfig) (HandshakeResult, error) {
	br := &handshakeByteReader{r: conn}
	count, err := readHandshakeVarint(br, "reading the manifest's version count")
	if err != nil {
		return HandshakeResult{}, err
	}
	if count > maxManifestRanges {
		return HandshakeResult{}, fmt.Errorf("%w: the manifest lists %d version ranges (at most %d accepted)",
			ErrBadHandshake, count, maxManifestRanges)
	}
	raw := make([]byte, 4*count)
	if err := readHandshake(conn, raw, "reading the manifest's versions"); err != nil {
		return HandshakeResult{}, err
	}
	serverVersions := make([]VersionRange, count)
	for i := range serverVersions {
		serverVersions[i] = parseVersionRange(raw[4*i:])
	}
	offered, err := readHandshakeVarint(br, "reading the manifest's capabilities")
	if err != nil {
		return HandshakeResult{}, err
	}

	chosen, ok := pickFromManifest(cfg.Supported, serverVersions)
	selected := offered & cfg.Capabilities
	if !ok {
		selected = 0
	}
	choice := VersionRange{Version: chosen}.appendTo(make([]byte, 0, 4+binary.MaxVarintLen64))
	choice = binary.AppendUvarint(choice, selected)
	_, err = conn.Write(choice)
	if !ok {
		// The client still answers (00 00 00 00) so that the server is not
		// left waiting; whether that arrives no longer matters.
		return HandshakeResult{}, &NoCommonVersionError{Offered: offer, ServerVersions: serverVersions}
	}
	if err != nil {
		return HandshakeResult{}, fmt.Errorf("bolt: handshake: sending the chosen version: %w", err)
	}
	return HandshakeResult{Version: chosen, Manifest: true, Capabilities: selected}, nil
}

// pickFromManifest returns the first of supported that one of the server's
// ranges contains.
func pickFromManifest(supported []Version, server []VersionRange) (Version, bool) {
	for _, v := range supported {
		for _, r := range server {
			if r.Contains(v) {
				return v, true
			}
		}
	}
	return Version{}, false
}

func validateOffer(offer []VersionRange) error {
	if len(offer) > handshakeSlots {
		return fmt.Errorf("%w: %d proposals, at most %d fit", ErrInvalidOffer, len(offer), handshakeSlots)
	}
	proposals := 0
	for _, r := range offer {
		if r == (VersionRange{}) {
			continue
		}
		proposals++
		if !r.IsManifest() && r.Back > r.Version.Minor {
			return fmt.Errorf("%w: %v back %d spans major versions", ErrInvalidOffer, r.Version, r.Back)
		}
	}
	if proposals == 0 {
		return fmt.Errorf("%w: no protocol version offered", ErrInvalidOffer)
	}
	return nil
}

func offers(offer []VersionRange, r VersionRange) bool {
	for _, o := range offer {
		if o == r {
			return true
		}
	}
	return false
}

func offersVersion(offer []VersionRange, v Version) bool {
	for _, r := range offer {
		if r.Contains(v) {
			return true
		}
	}
	return false
}

// ServerHandshakeConfig is the server side's part of a handshake.
type ServerHandshakeConfig struct {
	// Supported are the versions the server speaks; nil means
	// SupportedVersions. Within a proposed range the server picks the
	// newest version it speaks.
	Supported []Version
	// Manifest makes the server answer a manifest v1 request with the list
	// of Supported versions instead of picking a version itself.
	Manifest bool
	// Capabilities are the capability bits the server offers in a manifest.
	Capabilities uint64
}

// ServerHandshake performs the server side of the handshake on conn: it
// reads the client's identification and proposals and answers with the
// first proposal it can serve (a manifest if cfg.Manifest allows it). When
// nothing matches it answers 00 00 00 00 and returns a
// *NoCommonVersionError; the caller should close conn.
//
// ctx bounds the handshake as in ClientHandshake.
func ServerHandshake(ctx context.Context, conn net.Conn, cfg ServerHandshakeConfig) (res HandshakeResult, err error) {
	done, err := beginHandshake(ctx, conn, &cfg.Supported)
	if err != nil {
		return res, err
	}
	defer func() { err = done(err) }()

	var request [len(handshakeMagic) + handshakeSlots*4]byte
	if err := readHandshake(conn, request[:len(handshakeMagic)], "reading the identification"); err != nil {
		return res, err
	}
	if [4]byte(request[:4]) != handshakeMagic {
		return res, fmt.Errorf("%w: got % X", ErrBadMagic, request[:4])
	}
	if err := readHandshake(conn, request[4:], "reading the proposals"); err != nil {
		return res, err
	}
	proposals := make([]VersionRange, handshakeSlots)
	for i := range proposals {
		proposals[i] = parseVersionRange(request[4+4*i:])
	}

	for _, p := range proposals {
		if p.IsManifest() {
			if cfg.Manifest && p == ManifestV1 {
				return serverManifestV1(conn, proposals, cfg)
			}
			continue
		}
		if v, ok := pickFromRange(p, cfg.Supported); ok {
			if _, err := conn.Write(VersionRange{Version: v}.appendTo(nil)); err != nil {
				return res, fmt.Errorf("bolt: handshake: sending the chosen version: %w", err)
			}
			return HandshakeResult{Version: v}, nil
		}
	}
	if _, err := conn.Write(make([]byte, 4)); err != nil {
		return res, fmt.Errorf("bolt: handshake: sending the refusal: %w", err)
	}
	return res, &NoCommonVersionError{Offered: proposals}
}

// pickFromRange returns the newest version of p that supported holds.
func pickFromRange(p VersionRange, supported []Version) (Version, bool) {
	if p == (VersionRange{}) {
		return Version{}, false
	}
	for minor := int(p.Version.Minor); minor >= int(p.Lowest().Minor); minor-- {
		v := Version{Major: p.Version.Major, Minor: uint8(minor)}
		for _, s := range supported {
			if s == v {
				return v, true
			}
		}
	}
	return Version{}, false
}

// serverManifestV1 answers a manifest v1 request and reads the client's
// choice.
func serverManifestV1(conn net.Conn, proposals []VersionRange, cfg ServerHandshakeConfig) (HandshakeResult, error) {
	ranges := rangesOf(cfg.Supported)
	answer := ManifestV1.appendTo(nil)
	answer = binary.AppendUvarint(answer, uint64(len(ranges)))
	for _, r := range ranges {
		answer = r.appendTo(answer)
	}
	answer = binary.AppendUvarint(answer, cfg.Capabilities)
	if _, err := conn.Write(answer); err != nil {
		return HandshakeResult{}, fmt.Errorf("bolt: handshake: sending the manifest: %w", err)
	}

	var choice [4]byte
	if err := readHandshake(conn, choice[:], "reading the client's choice"); err != nil {
		return HandshakeResult{}, err
	}
	if choice == [4]byte{} {
		return HandshakeResult{}, &NoCommonVersionError{Offered: proposals, ServerVersions: ranges}
	}
	chosen := parseVersionRange(choice[:])
	if choice[0] != 0 || chosen.Back != 0 {
		return HandshakeResult{}, fmt.Errorf("%w: the client chose % X, not a single version", ErrBadHandshake, choice)
	}
	if !versionIn(chosen.Version, cfg.Supported) {
		return HandshakeResult{}, fmt.Errorf("%w: the client chose version %v, which the server did not list",
			ErrBadHandshake, chosen.Version)
	}
	selected, err := readHandshakeVarint(&handshakeByteReader{r: conn}, "reading the client's capabilities")
	if err != nil {
		return HandshakeResult{}, err
	}
	if selected&^cfg.Capabilities != 0 {
		return HandshakeResult{}, fmt.Errorf("%w: the client selected capabilities %#x, the server offered %#x",
			ErrBadHandshake, selected, cfg.Capabilities)
	}
	return HandshakeResult{Version: chosen.Version, Manifest: true, Capabilities: selected}, nil
}

// rangesOf groups versions into ranges of consecutive minor versions of one
// major version, keeping their order: newest-first input gives 6.1-6.0,
// 5.8-5.0, 4.4-4.0, 3.0.
func rangesOf(versions []Version) []VersionRange {
	var ranges []VersionRange
	for _, v := range versions {
		if n := len(ranges); n > 0 {
			last := &ranges[n-1]
			low := last.Lowest()
			if v.Major == low.Major && low.Minor > 0 && v.Minor == low.Minor-1 && last.Back < 0xFF {
				last.Back++
				continue
			}
		}
		ranges = append(ranges, VersionRange{Version: v})
	}
	return ranges
}

func versionIn(v Version, versions []Version) bool {
	for _, s := range versions {
		if s == v {
			return true
		}
	}
	return false
}

// beginHandshake is the start both sides share: it defaults *supported to
// SupportedVersions, fails at once when ctx has ended, and otherwise makes
// ctx govern conn (see watchContext, whose undo function it returns).
func beginHandshake(ctx context.Context, conn net.Conn, supported *[]Version) (func(error) error, error) {
	if *supported == nil {
		*supported = SupportedVersions
	}
	if ctx.Err() != nil {
		return nil, interruptedError(ctx)
	}
	return watchContext(ctx, conn), nil
}

// watchContext makes ctx govern the I/O on conn: ctx's deadline becomes
// conn's deadline and cancelling ctx interrupts blocked reads and writes.
// The returned function undoes both and, when the handshake failed because
// of ctx, replaces the I/O error by one that wraps ctx's error.
func watchContext(ctx context.Context, conn net.Conn) func(error) error {
	deadline, hasDeadline := ctx.Deadline()
	if hasDeadline {
		// An error here means conn is unusable; the handshake's first
		// read or write will report it.
		_ = conn.SetDeadline(deadline)
	}
	interrupted := make(chan struct{})
	stop := context.AfterFunc(ctx, func() {
		defer close(interrupted)
		_ = conn.SetDeadline(time.Unix(1, 0)) // in the past: blocked I/O returns at once
	})
	return func(err error) error {
		if !stop() {
			<-interrupted // the interruption ran or is running: let it finish before clearing
		}
		_ = conn.SetDeadline(time.Time{})
		if err == nil || !errors.Is(err, os.ErrDeadlineExceeded) {
			return err
		}
		if ctx.Err() != nil || (hasDeadline && !time.Now().Before(deadline)) {
			return fmt.Errorf("%w (%w)", interruptedError(ctx), err)
		}
		return err
	}
}

// interruptedError is the error for a handshake that ctx ended.
func interruptedError(ctx context.Context) error {
	ctxErr := ctx.Err()
	if ctxErr == nil { // conn's deadline (ctx's) passed just before ctx noticed
		ctxErr = context.DeadlineExceeded
	}
	if cause := context.Cause(ctx); cause != nil && cause != ctxErr {
		return fmt.Errorf("bolt: handshake interrupted: %w: %w", ctxErr, cause)
	}
	return fmt.Errorf("bolt: handshake interrupted: %w", ctxErr)
}

// readHandshake fills b from r. A connection closed before b is full is
// reported as io.ErrUnexpectedEOF: the handshake never ends cleanly early.
func readHandshake(r io.Reader, b []byte, what string) error {
	if _, err := io.ReadFull(r, b); err != nil {
		return handshakeReadError(err, what)
	}
	return nil
}

// handshakeReadError describes a failed read of the handshake.
func handshakeReadError(err error, what string) error {
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return fmt.Errorf("bolt: handshake: the peer closed the connection while %s: %w", what, io.ErrUnexpectedEOF)
	}
	return fmt.Errorf("bolt: handshake: %s: %w", what, err)
}

// readHandshakeVarint reads a manifest VarInt: 7 bits a byte, least
// significant group first, high bit set on every byte but the last. It is
// the encoding of encoding/binary's Uvarint.
func readHandshakeVarint(br *handshakeByteReader, what string) (uint64, error) {
	v, err := binary.ReadUvarint(br)
	if err == nil {
		return v, nil
	}
	if br.err == nil { // the value itself is bad, not the connection
		return 0, fmt.Errorf("%w: %s: %v", ErrBadHandshake, what, err)
	}
	return 0, handshakeReadError(br.err, what)
}

// handshakeByteReader reads one byte at a time, so that nothing after the
// handshake is read from the connection.
type handshakeByteReader struct {
	r   io.Reader
	b   [1]byte
	err error // the read error, as opposed to a malformed value
}

func (br *handshakeByteReader) ReadByte() (byte, error) {
	if _, err := io.ReadFull(br.r, br.b[:]); err != nil {
		br.err = err
		return 0, err
	}
	return br.b[0], nil
}
