// Command vendored builds only from its committed vendor/ directory: no
// module download may happen (the proxy can be stopped).
package main

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"

	"github.com/go-chi/chi/v5"
	"github.com/google/uuid"
)

var version = "dev"

func main() {
	if len(os.Args) > 1 && os.Args[1] == "version" {
		fmt.Println("vendored", version)
		return
	}
	r := chi.NewRouter()
	r.Get("/id", func(w http.ResponseWriter, _ *http.Request) {
		fmt.Fprint(w, uuid.NewString())
	})
	rec := httptest.NewRecorder()
	r.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/id", nil))
	_, err := uuid.Parse(rec.Body.String())
	fmt.Println("status", rec.Code, "uuid ok", err == nil)
}
