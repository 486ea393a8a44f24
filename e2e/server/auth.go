package server

// unauthorized is the failure of a wrong or missing authentication;
// Neo4j closes the connection after it.
func unauthorized() *Error {
	return &Error{
		Code:    CodeUnauthorized,
		Message: "The client is unauthorized due to authentication failure.",
		Fatal:   true,
	}
}

// authenticate checks an authentication token against Config.Users and
// returns the user it names. Without Users every token is accepted.
func (c *conn) authenticate(token map[string]any) (string, error) {
	scheme, _ := token["scheme"].(string)
	principal, _ := token["principal"].(string)
	if c.cfg.Users == nil {
		return principal, nil
	}
	if scheme != "basic" {
		return "", unauthorized()
	}
	credentials, _ := token["credentials"].(string)
	password, ok := c.cfg.Users[principal]
	if !ok || password != credentials {
		return "", unauthorized()
	}
	return principal, nil
}
