//go:build cgo && !noxla && ((linux && amd64) || darwin)

package backend

// Builds with cgo link GoMLX's XLA backend, so that GOMLX_BACKEND=xla selects it where its
// PJRT plugin is installed. Build with the noxla tag to leave it out.
import _ "github.com/gomlx/gomlx/backends/xla"
