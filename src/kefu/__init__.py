"""kefu 客服工作台."""

__version__ = "0.1.0"
