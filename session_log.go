package boltrx

import "log/slog"

// discardLogger logs nothing.
var discardLogger = slog.New(slog.DiscardHandler)

// log returns the logger for records about the session's work:
// SessionConfig.Logger, else Config.Logger, with the session's
// attributes.
func (s *Session) log() *slog.Logger {
	base := s.cfg.Logger
	if base == nil {
		base = s.driver.cfg.Logger
	}
	if base == nil {
		return discardLogger
	}
	attrs := make([]any, 0, 6)
	attrs = append(attrs, "database", s.database(), "access_mode", s.cfg.AccessMode.String())
	if s.cfg.ImpersonatedUser != "" {
		attrs = append(attrs, "impersonated_user", s.cfg.ImpersonatedUser)
	}
	return base.With(attrs...)
}
