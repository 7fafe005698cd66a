package sdk

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/hashicorp/go-hclog"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/vakt/vakt/plugins/proto/pluginv1"
)

// configurable is what the check and notifier servers share: a plugin
// that describes and accepts configurations.
type configurable interface {
	Info(ctx context.Context) (Info, error)
	Configure(ctx context.Context, cfg Config) error
}

// configStore is the plugin side's memory of configured instances, by id.
type configStore struct {
	impl configurable

	mu      sync.Mutex
	configs map[string]Config
}

func newConfigStore(impl configurable) *configStore {
	return &configStore{impl: impl, configs: make(map[string]Config)}
}

// configure validates pc against the plugin's schema, completes it with
// defaults, hands it to the plugin's Configure and, when everything
// accepted it and it has an id, keeps it. ConfigErrors come back as such;
// any other error means the plugin could not be asked.
func (s *configStore) configure(ctx context.Context, pc *pluginv1.Config) (Config, ConfigErrors, error) {
	if pc == nil {
		return Config{}, ConfigErrors{{Message: "the request has no config"}}, nil
	}
	info, err := s.impl.Info(ctx)
	if err != nil {
		return Config{}, nil, fmt.Errorf("describing the plugin: %w", err)
	}
	raw, errs := valuesFromProto(pc.GetValues())
	if errs != nil {
		return Config{}, errs, nil
	}
	values, err := info.Schema.ValidateValues(raw)
	if err != nil {
		var ce ConfigErrors
		if errors.As(err, &ce) {
			return Config{}, ce, nil
		}
		return Config{}, nil, err
	}
	cfg := Config{ID: pc.GetId(), Values: values}
	if err := s.impl.Configure(ctx, cfg); err != nil {
		var ce ConfigErrors
		if errors.As(err, &ce) && len(ce) > 0 {
			return Config{}, ce, nil
		}
		return Config{}, ConfigErrors{{Message: fmt.Sprintf("config %q rejected: %v", cfg.ID, err)}}, nil
	}
	if cfg.ID != "" {
		s.mu.Lock()
		s.configs[cfg.ID] = cfg
		s.mu.Unlock()
	}
	return cfg, nil, nil
}

// handleConfigure serves the Configure method; the plugin's calls log to
// log, tagged with the config's id.
func (s *configStore) handleConfigure(ctx context.Context, log hclog.Logger, req *pluginv1.ConfigureRequest) (*pluginv1.ConfigureResponse, error) {
	ctx = withLogger(ctx, log.With("config", req.GetConfig().GetId()))
	if req.GetConfig() != nil && req.GetConfig().GetId() == "" {
		return &pluginv1.ConfigureResponse{Errors: attributeErrorsToProto(ConfigErrors{{Message: "the config has no id"}})}, nil
	}
	_, errs, err := s.configure(ctx, req.GetConfig())
	if err != nil {
		return nil, status.Error(codes.Internal, err.Error())
	}
	return &pluginv1.ConfigureResponse{Errors: attributeErrorsToProto(errs)}, nil
}

// resolve finds the config a Check or Notify request names: a stored one
// by id, or an inline one configured on the spot. A gRPC status error
// means the request cannot be served at all.
func (s *configStore) resolve(ctx context.Context, id string, inline *pluginv1.Config) (Config, ConfigErrors, error) {
	if inline != nil {
		cfg, errs, err := s.configure(ctx, inline)
		if err != nil {
			return Config{}, nil, status.Error(codes.Internal, err.Error())
		}
		return cfg, errs, nil
	}
	if id == "" {
		return Config{}, nil, status.Error(codes.InvalidArgument, "the request names no config: set config_id or inline_config")
	}
	s.mu.Lock()
	cfg, ok := s.configs[id]
	s.mu.Unlock()
	if !ok {
		return Config{}, nil, status.Errorf(codes.NotFound, "config %q was not configured", id)
	}
	return cfg, nil, nil
}
