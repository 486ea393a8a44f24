package auth

import (
	"context"
	"slices"
	"time"

	"github.com/boltrx/boltrx/internal/clock"
)

// cachingManager keeps the token a provider returned until it expires or
// the server rejects it with one of the handled codes. It backs both
// BasicTokenManager and BearerTokenManager.
//
// lock is a one-slot semaphore rather than a sync.Mutex so that waiting
// for it respects the caller's context. Whoever holds it while the token
// is missing calls the provider; the others wait and then find the fresh
// token, which makes refreshes single-flight.
type cachingManager struct {
	provider     func(context.Context) (Token, *time.Time, error)
	handledCodes []string
	now          func() time.Time // the clock; replaced in tests

	lock    chan struct{}
	token   *Token     // nil: no token yet, or the last one was rejected
	expires *time.Time // nil: the token does not expire
}

func newCachingManager(handledCodes ...string) *cachingManager {
	return &cachingManager{
		handledCodes: handledCodes,
		now:          clock.Now,
		lock:         make(chan struct{}, 1),
	}
}

func (m *cachingManager) acquire(ctx context.Context) error {
	select {
	case m.lock <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (m *cachingManager) release() { <-m.lock }

// GetAuthToken returns the cached token, calling the provider first when
// there is none or it has expired. A provider error is returned as is and
// nothing is cached, so the next call tries again.
func (m *cachingManager) GetAuthToken(ctx context.Context) (Token, error) {
	if m.provider == nil {
		return Token{}, ErrNilProvider
	}
	if err := m.acquire(ctx); err != nil {
		return Token{}, err
	}
	defer m.release()
	if m.token != nil && !m.expired() {
		return *m.token, nil
	}
	token, expires, err := m.provider(ctx)
	if err != nil {
		return Token{}, err
	}
	m.token, m.expires = &token, expires
	return token, nil
}

// expired reports whether the cached token's expiry time has passed.
func (m *cachingManager) expired() bool {
	return m.expires != nil && !m.now().Before(*m.expires)
}

// HandleSecurityException forgets the current token when the server
// rejected it with a handled code, so that the next GetAuthToken asks the
// provider again. A rejection of an older token (one another connection
// still used) leaves a newer cached token alone.
func (m *cachingManager) HandleSecurityException(ctx context.Context, token Token, failure ServerError) (bool, error) {
	if failure == nil || !slices.Contains(m.handledCodes, failure.Neo4jCode()) {
		return false, nil
	}
	if err := m.acquire(ctx); err != nil {
		return false, err
	}
	defer m.release()
	if m.token != nil && m.token.Equal(token) {
		m.token, m.expires = nil, nil
	}
	return true, nil
}
