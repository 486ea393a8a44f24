// Package bolt is the wire of Neo4j's Bolt protocol, for both ends of a
// connection, the way pgproto3 has a Frontend and a Backend: the driver uses
// the client side ([Frontend]), the test servers of the e2e module the
// server side ([Backend]). e2e/server decodes typed requests and encodes
// responses with it, and streams records through [Backend.SendRecord];
// the scripted stub server (e2e/boltstub) frames its messages with it and
// reads each request's bytes ([Backend.ReceiveMessage]) to check exactly
// what the driver sent. One set of definitions serves both sides, so the
// servers check the driver against the same definitions it was built from.
//
// A connection goes through these layers:
//
//   - The handshake picks the protocol version of a new connection:
//     [ClientHandshake] and [ServerHandshake], with version ranges (Bolt
//     4.3+) and the manifest v1 handshake (Bolt 5.7+). [DefaultOffer]
//     explains which servers the default proposals reach.
//   - Chunking frames messages on the byte stream: a [ChunkWriter] buffers
//     chunked messages until Flush, so a pipeline of requests is one write;
//     a [ChunkReader] returns whole messages and does not copy those that
//     arrive in one chunk.
//   - Messages: requests (HELLO, RUN, PULL, ...) and responses (SUCCESS,
//     RECORD, FAILURE, IGNORED), encoded with package packstream. Their
//     shapes depend on the negotiated [Version]; [CapabilitiesFor] returns
//     the table of one version, and code asks it instead of comparing
//     version numbers.
//   - After the handshake a [Frontend] (client side) or a [Backend] (server
//     side) sends and receives messages over the chunking layer. The client
//     side follows the server's state in a [StateMachine], which tells what
//     may be sent next and what each response does to the connection.
//
// Nothing in this package panics on bytes from the network: malformed input
// becomes an error that callers test with errors.Is and errors.As.
package bolt
