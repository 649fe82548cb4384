"""List _() strings without a Chinese translation: python tests/missing_zh.py"""
import json, sys
sys.path.insert(0, __import__("os").path.dirname(__file__))
from test_i18n import catalog, literals
zh = catalog()
for s in sorted(literals()):
    if s not in zh:
        print(json.dumps(s, ensure_ascii=False))
