"""config.yml's intent and entity components trained in-process on kefu's data/nlu.

The same components, in the same order and with the same settings as `make train`, without
the emotion classifier and Rasa's graph runner: about 15 s instead of a whole `rasa train`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Dict, List, Optional

import yaml
from rasa.engine.graph import ExecutionContext, GraphComponent, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.loading import load_data
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData
from rasa.shared.utils.common import class_from_module_path

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# What intents and entities depend on; emotions and the fallback do not decide them.
COMPONENTS = ("tokenizer.KefuTokenizer", "SentenceCountsFeaturizer",
              "SentenceEmbeddingFeaturizer", "KefuIntentClassifier", "KefuEntityExtractor")


class TrainedPipeline:
    def __init__(self, components: List[GraphComponent]) -> None:
        self._components = components

    def parse(self, text: str) -> Message:
        message = Message(data={TEXT: text})
        for component in self._components:
            component.process([message])  # type: ignore[attr-defined]
        return message


def train_pipeline(storage_dir: Path, training_data: Optional[TrainingData] = None,
                   overrides: Optional[Dict[str, Dict[str, Any]]] = None) -> TrainedPipeline:
    """`overrides`: extra settings by component class name, for experiments."""
    data = training_data or load_data(str(PROJECT_ROOT / "data" / "nlu"))
    storage = LocalModelStorage(storage_dir)
    components: List[GraphComponent] = []
    pipeline = yaml.safe_load((PROJECT_ROOT / "config.yml").read_text())["pipeline"]
    for index, step in enumerate(s for s in pipeline if s["name"].endswith(COMPONENTS)):
        component_class = class_from_module_path(step["name"])
        config = {**component_class.get_default_config(),
                  **{k: v for k, v in step.items() if k != "name"},
                  **(overrides or {}).get(component_class.__name__, {})}
        name = f"{component_class.__name__}_{index}"
        component = component_class.create(config, storage, Resource(name),
                                           ExecutionContext(GraphSchema({}), node_name=name))
        if hasattr(component, "train"):
            component.train(data)
        if hasattr(component, "process_training_data"):
            component.process_training_data(data)
        components.append(component)
    return TrainedPipeline(components)
