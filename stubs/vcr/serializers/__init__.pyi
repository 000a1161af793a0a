from types import ModuleType

yamlserializer: ModuleType
jsonserializer: ModuleType
