// Package api is the HTTP layer: routing, middleware (CORS, request ids,
// rate limiting, auth, metrics, gzip) and JSON handlers over the store. Business
// rules beyond input validation live in the store.
package api

import (
	"encoding/json"
	"io"
	"net/http"
	"sync"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"
	"github.com/go-playground/validator/v10"
	"github.com/klauspost/compress/gzip"
	"go.uber.org/zap"
	"golang.org/x/sync/singleflight"
	"golang.org/x/time/rate"

	"example.com/inventory/internal/config"
	"example.com/inventory/internal/metrics"
	"example.com/inventory/internal/store"
)

// API holds the dependencies of the handlers.
type API struct {
	store    *store.Store
	log      *zap.Logger
	metrics  *metrics.Metrics
	validate *validator.Validate
	auth     *Authenticator
	group    singleflight.Group
}

// New returns the API over a store.
func New(st *store.Store, log *zap.Logger, m *metrics.Metrics, auth *Authenticator) *API {
	return &API{store: st, log: log, metrics: m, validate: validator.New(), auth: auth}
}

// Router returns the complete HTTP handler of the service.
func (a *API) Router(cfg config.HTTP) http.Handler {
	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.RealIP, a.requestLog, middleware.Recoverer)
	r.Use(cors.Handler(cors.Options{
		AllowedOrigins: cfg.CORSOrigins,
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodPatch, http.MethodDelete},
		AllowedHeaders: []string{"Authorization", "Content-Type"},
		MaxAge:         300,
	}))
	r.Use(a.metrics.Middleware, compressor())
	r.Use(rateLimit(rate.Limit(cfg.RatePerSecond), cfg.RateBurst))

	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
	})
	r.Post("/v1/token", a.issueToken)
	r.Route("/v1/items", func(r chi.Router) {
		r.Get("/", a.listItems)
		r.Get("/{id}", a.getItem)
		r.Group(func(r chi.Router) {
			r.Use(a.auth.Require)
			r.Post("/", a.createItem)
			r.Patch("/{id}/stock", a.adjustStock)
			r.Delete("/{id}", a.deleteItem)
		})
	})
	r.Get("/v1/stats", a.stats)
	return r
}

// compressor gzips JSON responses with klauspost's faster gzip encoder.
func compressor() func(http.Handler) http.Handler {
	c := middleware.NewCompressor(5, "application/json")
	c.SetEncoder("gzip", func(w io.Writer, level int) io.Writer {
		gw, err := gzip.NewWriterLevel(w, level)
		if err != nil {
			return nil
		}
		return gw
	})
	return c.Handler
}

func (a *API) requestLog(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ww := middleware.NewWrapResponseWriter(w, r.ProtoMajor)
		next.ServeHTTP(ww, r)
		a.log.Debug("request",
			zap.String("id", middleware.GetReqID(r.Context())),
			zap.String("method", r.Method),
			zap.String("path", r.URL.Path),
			zap.Int("status", ww.Status()))
	})
}

// rateLimit applies one token bucket per client address.
func rateLimit(limit rate.Limit, burst int) func(http.Handler) http.Handler {
	var mu sync.Mutex
	limiters := make(map[string]*rate.Limiter)
	get := func(key string) *rate.Limiter {
		mu.Lock()
		defer mu.Unlock()
		l, ok := limiters[key]
		if !ok {
			l = rate.NewLimiter(limit, burst)
			limiters[key] = l
		}
		return l
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if !get(r.RemoteAddr).Allow() {
				writeError(w, http.StatusTooManyRequests, "rate limit exceeded")
				return
			}
			next.ServeHTTP(w, r)
		})
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}
