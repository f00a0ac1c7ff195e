package api

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"golang.org/x/crypto/bcrypt"

	"example.com/inventory/internal/config"
)

// Authenticator issues and checks HS256 JWTs for the write endpoints.
type Authenticator struct {
	secret       []byte
	issuer       string
	ttl          time.Duration
	passwordHash []byte
	now          func() time.Time
}

// NewAuthenticator builds an Authenticator from the auth configuration.
func NewAuthenticator(c config.Auth, now func() time.Time) *Authenticator {
	if now == nil {
		now = time.Now
	}
	return &Authenticator{secret: []byte(c.Secret), issuer: c.Issuer, ttl: c.TokenTTL,
		passwordHash: []byte(c.AdminPasswordHash), now: now}
}

// Issue returns a signed token for subject.
func (au *Authenticator) Issue(subject string) (string, error) {
	now := au.now()
	claims := jwt.RegisteredClaims{
		Issuer:    au.issuer,
		Subject:   subject,
		IssuedAt:  jwt.NewNumericDate(now),
		ExpiresAt: jwt.NewNumericDate(now.Add(au.ttl)),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(au.secret)
}

// Verify checks signature, algorithm, issuer and expiry; it returns the subject.
func (au *Authenticator) Verify(token string) (string, error) {
	var claims jwt.RegisteredClaims
	_, err := jwt.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return au.secret, nil
	})
	if err != nil {
		return "", err
	}
	if !claims.VerifyIssuer(au.issuer, true) {
		return "", errors.New("wrong issuer")
	}
	return claims.Subject, nil
}

// Require rejects requests without a valid bearer token.
func (au *Authenticator) Require(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		token, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		if !ok {
			writeError(w, http.StatusUnauthorized, "missing bearer token")
			return
		}
		if _, err := au.Verify(token); err != nil {
			writeError(w, http.StatusUnauthorized, "invalid token")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// checkPassword compares against the configured bcrypt hash.
func (au *Authenticator) checkPassword(password string) bool {
	if len(au.passwordHash) == 0 {
		return false
	}
	return bcrypt.CompareHashAndPassword(au.passwordHash, []byte(password)) == nil
}

type tokenRequest struct {
	Password string `json:"password" validate:"required"`
}

func (a *API) issueToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if !a.decode(w, r, &req) {
		return
	}
	if !a.auth.checkPassword(req.Password) {
		writeError(w, http.StatusUnauthorized, "wrong password")
		return
	}
	token, err := a.auth.Issue("admin")
	if err != nil {
		writeError(w, http.StatusInternalServerError, "internal error")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": token})
}
