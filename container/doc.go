// Package container runs rspcheck's targets in containers, in testcontainers-go's own idiom:
// images built from local Dockerfiles (there is no registry: nothing is ever pulled), started
// with functional options, awaited with named wait strategies, reachable at an endpoint on the
// host, and stopped, restarted or killed by the specs that need it.
//
// Two images ship with the project: the reference peers (rsppeer, FROM scratch, built by
// BuildRsppeer) and a real third-party stack, gSOAP 2.8.124 from Debian with its stock
// WS-ReliableMessaging and WS-Security plugins (FROM scratch, built by BuildGSOAP from
// container/thirdparty/gsoap). A vendor's image is used the same way:
//
//	img, _ := container.Build(ctx, container.Image{Name: "acme/rm:1", Context: "path/to/dir"})
//	// (or container.BuildRsppeer / container.BuildGSOAP for the project's own images)
//	t, _ := container.Run(ctx, img, container.WithRole("responder"), container.WithEndpointPath("/rm"))
//	defer t.Stop(ctx)
//	... t.Endpoint() ...
//
// Where no Docker engine is reachable, Available says why; callers skip with that reason,
// unless Required (RSPCHECK_REQUIRE_DOCKER=1, as in CI) makes the absence a failure.
//
// The reaper container (Ryuk) cannot be pulled either: unless TESTCONTAINERS_RYUK_DISABLED is
// set, this package sets it to "true" before the first testcontainers call, and every
// container it starts is removed by Target.Stop instead.
package container
