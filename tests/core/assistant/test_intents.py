import json

import pytest

from kefu.core.assistant.nlu import classify, understand
from kefu.core.assistant.nlu.data.generator import CORE_LINES, generate
from kefu.core.assistant.nlu.data.handwritten import handwritten_rows
from kefu.core.assistant.nlu.intents import INTENTS, is_threat, request_part
from kefu.core.assistant.nlu.model import IntentModel, normalize, train
from kefu.core.assistant.nlu.training import calibration_rows, dev_records, model_key


@pytest.fixture(scope="module")
def model() -> IntentModel:
    # A small model of the same kind as the shipped one keeps this module fast.
    return train(generate(seed=3, per_intent=300) + handwritten_rows(), calibration_rows())


def test_the_data_covers_exactly_the_28_codes() -> None:
    assert len(INTENTS) == 28
    assert set(CORE_LINES) == set(INTENTS)
    assert {intent for _, intent in handwritten_rows()} == set(INTENTS)
    assert {r["intent"] for r in dev_records()} == set(INTENTS)


def test_generation_is_deterministic() -> None:
    assert generate(seed=5, per_intent=20) == generate(seed=5, per_intent=20)
    assert generate(seed=5, per_intent=20) != generate(seed=6, per_intent=20)


def test_the_dev_set_is_never_trained_on() -> None:
    training = {normalize(t) for t, _ in generate(seed=7, per_intent=300) + handwritten_rows()}
    dev = {normalize(str(r["text"])) for r in dev_records()}
    assert len(dev & training) <= len(dev) // 20  # only very short, common messages repeat


def test_model_key_changes_with_data_and_code() -> None:
    rows = [("在吗", "greeting")]
    assert model_key(rows, []) == model_key(rows, [])
    assert model_key(rows, []) != model_key(rows + [("好的", "thanks_bye")], [])
    assert model_key(rows, [], "v1") != model_key(rows, [], "v2")


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("在吗", "greeting"),
        ("这件是纯棉的吗", "product_info"),
        ("170 65kg穿什么码", "size_advice"),
        ("黑色M还有吗", "stock_check"),
        ("能便宜点吗", "price_bargain"),
        ("有优惠券吗", "promotion"),
        ("新疆加多少运费", "shipping_fee"),
        ("今天能发吗", "delivery_time"),
        ("能发顺丰吗", "courier_choice"),
        ("能开发票吗", "invoice"),
        ("付不了款", "payment_issue"),
        ("能货到付款吗", "cod"),
        ("加个微信聊", "other_platform"),
        ("地址写错了帮我改下", "order_modify"),
        ("拍错了不要了 帮我取消", "order_cancel"),
        ("付款三天了怎么还不发", "urge_shipping"),
        ("快递到哪了", "logistics_query"),
        ("显示签收了我没收到", "not_received"),
        ("不合适想退", "return_exchange"),
        ("退款怎么还没到账", "refund_status"),
        ("洗一次就掉色", "quality_complaint"),
        ("发错颜色了", "wrong_or_missing_item"),
        ("刚买就降价了能退差价吗", "price_protection"),
        ("这个怎么安装", "usage_help"),
        ("我要投诉你们", "complaint"),
        ("转人工", "human_agent"),
        ("好的谢谢", "thanks_bye"),
    ],
)
def test_each_intent_family(model: IntentModel, text: str, intent: str) -> None:
    assert classify(model, text)[0] == intent


@pytest.mark.parametrize(
    ("text", "intent"),
    [
        ("在吗，快递到哪了", "logistics_query"),  # action over greeting
        ("亲 在吗 能开发票吗", "invoice"),
        ("好的谢谢，那什么时候发货", "delivery_time"),
        ("亲。。在么", "greeting"),  # nothing but politeness
        ("三天了还不发货，再不发我投诉", "complaint"),  # a threat wins over its topic
        ("衣服洗一次就掉色 再不处理给差评", "complaint"),
    ],
)
def test_priority_rules(model: IntentModel, text: str, intent: str) -> None:
    assert classify(model, text)[0] == intent


def test_hard_negatives_between_close_intents(model: IntentModel) -> None:
    assert classify(model, "几天能到北京")[0] == "delivery_time"
    assert classify(model, "拍了五天了怎么还不发货")[0] == "urge_shipping"
    assert classify(model, "物流三天没动了")[0] == "logistics_query"
    assert classify(model, "少了一件")[0] == "wrong_or_missing_item"


@pytest.mark.parametrize(
    "text", ["再不处理给差评", "我要打12315", "叫你们经理出来", "我要申请平台介入", "差评！"]
)
def test_threats(text: str) -> None:
    assert is_threat(text)


@pytest.mark.parametrize(
    "text", ["放心我不会给差评的", "好评返现吗", "工商银行卡能付吗", "什么时候发货"]
)
def test_not_threats(text: str) -> None:
    assert not is_threat(text)


def test_request_part_drops_only_politeness() -> None:
    assert request_part("亲，在吗？快递到哪了") == "快递到哪了"
    assert request_part("好的谢谢") == ""


def test_confidence_is_a_probability(model: IntentModel) -> None:
    assert classify(model, "  ") == ("other", 0.5)
    for text in ["在吗", "我要投诉", "asdfgh", "", "😊😊"]:
        result = understand(model, text)
        assert 0.0 <= result.confidence <= 1.0
        assert result.intent in INTENTS
    probs = model.probabilities(["快递到哪了"])[0]
    assert abs(float(probs.sum()) - 1.0) < 1e-9


def test_output_shape(model: IntentModel) -> None:
    out = understand(model, "一米七穿什么码").as_json("n001")
    assert json.loads(json.dumps(out, ensure_ascii=False)) == out
    assert set(out) == {"id", "intent", "confidence", "entities"}
    assert out["entities"] == [{"type": "height_cm", "value": 170, "start": 0, "end": 3}]


@pytest.mark.slow
def test_the_shipped_model_on_the_dev_set(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The full training pipeline (about 25 s) and its quality on the never-trained-on dev set."""
    from kefu.core.assistant.nlu.evaluation import Scored, report
    from kefu.core.assistant.nlu.training import train_shipped_model

    model = train_shipped_model()
    rows = []
    for record in dev_records():
        result = understand(model, str(record["text"]))
        gold = [(e["type"], e["value"]) for e in record.get("entities", [])]  # type: ignore[attr-defined]
        found = [(e.type, e.value) for e in result.entities]
        rows.append(Scored(str(record["intent"]), result.intent, result.confidence, gold, found))
    summary = report(rows)
    assert summary["accuracy"] >= 0.95
    assert summary["macro_f1"] >= 0.95
    assert summary["entity_f1"] >= 0.95
    assert summary["ece"] <= 0.05
