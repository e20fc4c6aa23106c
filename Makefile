# kefu — the two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Rasa 3.6 needs Python 3.10; stack/ensure_venv.sh finds it (or set PYTHON310).
PYTHON310 ?=
VENV := .venv
PY := $(CURDIR)/$(VENV)/bin/python
RASA := $(CURDIR)/$(VENV)/bin/rasa
MODEL := models/kefu.tar.gz
TRAIN_INPUTS := config.yml $(shell find data bot/domain -name '*.yml' -o -name '*.tsv' 2>/dev/null) \
  $(wildcard bot/nlu/*.py bot/policies/*.py)

export PYTHONPATH := $(CURDIR)
# A bank's bot reports nothing outside the bank.
export RASA_TELEMETRY_ENABLED := false
export HF_HUB_OFFLINE := 1
export TF_CPP_MIN_LOG_LEVEL := 2

.PHONY: help run test test-unit test-stories train validate lint bench bench-nlu tune-fallback venv lock migrate postgres browser digressions kpi bench-emotion bench-handoff bench-channels chat

help:
	@echo "make run      start Redis, Rasa, the action server and the handoff service"
	@echo "make test     run the whole suite (pytest and rasa test stories)"
	@echo "make train    train the model when config.yml, data/, bot/domain/ or the components changed"
	@echo "make validate rasa data validate and kefu's own data checks"
	@echo "make lint     ruff"
	@echo "make bench    benchmarks into docs/benchmarks.md"
	@echo "make kpi      the KPI report (DAYS=30) as JSON"
	@echo "make chat CHANNEL=sms   text a running kefu as an SMS customer (FROM=+86…)"
	@echo "make chat CHANNEL=wechat   write to a running kefu as a WeChat follower"
	@echo "make bench-nlu, make bench-emotion, make bench-handoff, make bench-channels   one benchmark (docs/benchmarks.md)"

## The virtual environment, reinstalled only when requirements.lock changes.
venv:
	@bash stack/ensure_venv.sh "$(PYTHON310)" "$(VENV)" requirements.lock

lock: venv
	{ echo "# kefu's pinned Python 3.10 environment. Regenerate with 'make lock' (see README)."; \
	  $(PY) -m pip freeze --all | grep -v -E '^(pip|wheel)=='; } > requirements.lock

$(MODEL): $(TRAIN_INPUTS) | venv
	$(RASA) train --config config.yml --domain bot/domain --data data \
	  --out models --fixed-model-name kefu --force
	@touch $@

train: venv $(MODEL)

migrate: venv
	$(PY) -c "from actions.store.database import migrate; migrate()"

run: venv $(MODEL)
	$(PY) -m stack.run

# Rasa's checks (story conflicts, domain and data agree), then kefu's (bot/data_checks.py:
# every response in zh and en, enough examples per language, every form question exists).
validate: venv
	$(RASA) data validate --config config.yml --domain bot/domain --data data
	$(PY) -m bot.data_checks

lint: venv
	$(PY) -m ruff check .

test-unit: venv
	$(PY) -m pytest tests/unit

test-stories: venv $(MODEL)
	$(RASA) test core --model $(MODEL) --stories tests/stories --out results/stories \
	  --fail-on-prediction-errors
	@$(PY) -c "import json; r = json.load(open('results/stories/story_report.json'))['conversation_accuracy']; \
	  print(f\"stories: {r['correct']} passed, {r['total'] - r['correct']} failed\")"

# Rewrites data/rules/digressions.yml after adding an intent or a form (see docs/designers.md).
digressions: venv
	$(PY) -m bot.digression_rules

# Emotion recognition on GoEmotions dev and kefu's zh test set (docs/benchmarks.md).
bench-emotion: venv $(MODEL)
	$(PY) -m bench.emotion

# 20 handed-over web conversations: relay latency each way and assignment (docs/benchmarks.md).
bench-handoff: venv $(MODEL)
	$(PY) -m bench.handoff

# SMS and WeChat round trips beside stock REST; WeChat's answer time with 8 s actions.
bench-channels: venv $(MODEL)
	$(PY) -m bench.channels

# The KPI report (CSAT, complaints, answers within 24 h, overdue) of the last DAYS days as JSON.
kpi: venv migrate
	$(PY) -m actions.kpi --days $(or $(DAYS),30)

# Play a customer against a running `make run`. CHANNEL=sms posts signed Twilio webhooks and
# prints the replies from the development outbox; FROM=+8613800138001 texts as a demo customer.
# CHANNEL=wechat posts signed (AES with KEFU_WECHAT_AES_KEY) WeChat XML as a follower.
chat: venv
	@case "$(CHANNEL)" in \
	  sms) $(PY) -m tools.sms_chat $(if $(FROM),--from $(FROM)) ;; \
	  wechat) $(PY) -m tools.wechat_chat $(if $(OPENID),--openid $(OPENID)) ;; \
	  *) echo "usage: make chat CHANNEL=sms [FROM=+8613800138001] | CHANNEL=wechat [OPENID=o…]" >&2; exit 2 ;; \
	esac

postgres:
	@bash stack/ensure_postgres.sh

browser:
	@bash stack/ensure_browser.sh

# The browser tests run on their own: Playwright's sync API keeps an event loop running,
# which the asyncio tests cannot share.
test: venv $(MODEL) lint validate postgres browser
	$(PY) -m pytest tests --ignore=tests/browser
	$(PY) -m pytest tests/browser
	$(MAKE) test-stories

bench: venv $(MODEL)
	$(PY) -m bench.run_all

# Chooses the FallbackClassifier threshold on held-out data and writes it into config.yml.
tune-fallback: venv
	$(PY) -m bench.tune_fallback

# STOCK_EPOCHS=40 once for stock DIET's full accuracy (about 45 min); 2 serves for its latency.
# PARTS="banking77", "own" or "stock" (stock DIET accuracy only) measures one part, keeps the rest.
bench-nlu: venv $(MODEL)
	STOCK_EPOCHS=$(or $(STOCK_EPOCHS),2) $(PY) -m bench.nlu $(PARTS)
