// Command api is the HTTP member of the go.work example: chi routes with CORS,
// Prometheus metrics and request ids from the shared library.
package main

import (
	"fmt"
	"net/http"
	"os"

	"github.com/go-chi/chi/v5"
	"github.com/go-chi/chi/v5/middleware"
	"github.com/go-chi/cors"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap"

	"example.com/shared"
)

var version = "dev"

var greetings = prometheus.NewCounter(prometheus.CounterOpts{
	Name: "api_greetings_total",
	Help: "Greetings served.",
})

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Println("api", version, shared.NewID() != "")
		return
	}
	log, err := shared.NewLogger("api", os.Getenv("API_DEBUG") != "")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(greetings)

	r := chi.NewRouter()
	r.Use(middleware.RequestID, middleware.Recoverer)
	r.Use(cors.Handler(cors.Options{AllowedOrigins: []string{"*"}, AllowedMethods: []string{"GET"}}))
	r.Get("/", func(w http.ResponseWriter, _ *http.Request) {
		greetings.Inc()
		fmt.Fprintln(w, shared.Greeting("api"), shared.NewID())
	})
	r.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	log.Info("listening", zap.String("addr", ":8080"), zap.String("version", version))
	if err := http.ListenAndServe(":8080", r); err != nil {
		log.Error("server stopped", zap.Error(err))
		os.Exit(1)
	}
}
