"""Natural, hand-written training messages (`intent<TAB>text`), the way buyers really type.

These are written as whole messages, not templates; they carry the most weight per line.
The dev set (`dev.jsonl`) is written separately and never trained on.
"""

from __future__ import annotations

HANDWRITTEN = """
greeting	在吗在吗
greeting	亲 有人吗？？
greeting	hello 有人在线吗
greeting	你好 请问客服在吗😊
greeting	在不在呀老板
greeting	喂喂喂 有人吗
greeting	早上好亲
greeting	在？
product_info	这个裤子是什么面料的呀 会不会起球
product_info	这款羽绒服是鸭绒还是鹅绒 充绒量多少
product_info	亲 这件卫衣是加绒的吗 冬天穿冷不冷
product_info	请问是正品吗 有没有防伪
product_info	图上这个颜色实物有色差吗
product_info	这个电饭煲是几升的 适合三口之家吗
product_info	面膜保质期到什么时候
product_info	这个耳机支持降噪吗 续航多久
product_info	这个包是真皮还是PU的
product_info	纯棉的还是涤纶的啊
product_info	这款有什么颜色可以选
size_advice	我一米六 一百斤 穿啥码合适
size_advice	165 55kg 平时穿M 这件拿多大
size_advice	老公175 140斤 买XL够不够
size_advice	我胯比较宽 裤子选大一码吗
size_advice	这个鞋子偏码吗 平时38
size_advice	一米七二 一百四十斤 怎么选码啊
size_advice	158/90斤穿s会不会大
size_advice	给我儿子买 12岁 150高 选哪个码
stock_check	黑色的L码还有货没
stock_check	米白色m码啥时候补啊 等好久了
stock_check	这个是现货吗 还是要等
stock_check	XL没货了吗 什么时候有
stock_check	我要5件 库存够不够
stock_check	卡其色的还会补货吗
stock_check	怎么点不了 是卖完了吗
price_bargain	亲 便宜点我就拍了
price_bargain	能不能优惠个十块 诚心要
price_bargain	89行不行 行我马上拍
price_bargain	老板 抹个零头嘛 199变190
price_bargain	有点小贵 还能少吗
price_bargain	我买三件 给个优惠价呗
price_bargain	最低多少能卖
promotion	现在有什么优惠活动吗
promotion	店铺的满减券在哪里领啊
promotion	双十一是不是更便宜
promotion	满300减50是跨店的吗
promotion	领了券怎么用不了
promotion	会员有没有专属价
promotion	买二送一活动还有吗
shipping_fee	发新疆包邮不
shipping_fee	寄到拉萨运费多少钱
shipping_fee	运费怎么这么贵啊 不包邮吗
shipping_fee	买两件能包邮吗
shipping_fee	海南偏远地区要加运费吗
shipping_fee	换顺丰要补多少邮费
delivery_time	现在拍今天能发出去吗
delivery_time	下单多久能到广州
delivery_time	周六之前能收到吗 急用
delivery_time	从哪发货 到成都要几天
delivery_time	预售的什么时候发
delivery_time	今天下午四点前下单能当天发吗
courier_choice	默认发啥快递啊
courier_choice	能给我发顺丰吗 我补差价
courier_choice	我们这里韵达到不了 能发邮政吗
courier_choice	别发圆通 上次丢件了
courier_choice	可以指定京东快递吗
invoice	能开公司抬头的专票吗 报销用
invoice	发票开了吗 急着报销
invoice	电子发票在哪里看
invoice	发票抬头写错了 能重开吗
invoice	要开普票 个人抬头
payment_issue	付款一直提示失败怎么回事
payment_issue	花呗付不了 是不是没开通
payment_issue	你改好价了没 我去付款
payment_issue	钱扣了 订单还是显示待付款
payment_issue	能用信用卡付款吗
payment_issue	运费改好了吗 我好付
cod	可以货到付款吗 我不太放心
cod	支持到付吗 收到货再给钱
cod	我想选货到付款 怎么弄
cod	能先验货再付款吗
other_platform	你们京东也有店吗
other_platform	加个微信吧 方便联系
other_platform	拼多多上同款便宜好多 是你们家吗
other_platform	有没有实体店可以去看看
other_platform	能不能私下交易 不走平台
order_modify	地址写错了 麻烦改成杭州市西湖区文三路88号
order_modify	刚拍的M码帮我换成L码 还没发货吧
order_modify	电话号码填错了 是13812345678
order_modify	帮我把颜色改成白色的
order_modify	收件人名字写错了 改一下
order_modify	能不能晚两天发 我出差不在家
order_cancel	不好意思拍错了 帮我取消一下
order_cancel	刚才那单不要了 取消吧
order_cancel	我下了两单 取消其中一单
order_cancel	还没发货的话帮我取消订单
order_cancel	买错了 能取消吗
urge_shipping	我三天前付的款怎么还不发货
urge_shipping	都一个星期了还没发 什么情况
urge_shipping	麻烦快点发货 等着穿
urge_shipping	怎么还是待发货 说好的48小时呢
urge_shipping	今天能给我发出去吗 都拍了好几天了
urge_shipping	催一下 赶紧发
logistics_query	我的快递到哪了 帮忙看看
logistics_query	物流三天都没更新了
logistics_query	包裹一直停在转运中心不动
logistics_query	单号查不到物流信息 怎么回事
logistics_query	今天能派送吗 快递员电话多少
logistics_query	东西发出来了吗 单号给我一下
not_received	显示已签收 可是我没收到啊
not_received	物流显示放驿站了 驿站说没有
not_received	快递说送到了 我在家一直没人来
not_received	不是我签收的 东西也没拿到
return_exchange	衣服有点小 想换大一码
return_exchange	不喜欢 可以七天无理由退吗
return_exchange	我要退货 退货地址发一下
return_exchange	裤子太长了 能换短一点的吗
return_exchange	吊牌还在 想退掉
return_exchange	鞋子挤脚 换个40码
refund_status	退货你们已经签收了 钱怎么还没退
refund_status	退款申请好几天了 什么时候到账
refund_status	退款显示成功了 但我没收到钱
refund_status	我的退款到底什么时候给我
quality_complaint	刚洗一次就掉色了 把别的衣服都染了
quality_complaint	收到的杯子是裂的
quality_complaint	穿了两天就起球了 什么质量
quality_complaint	有一股很重的味道 刺鼻
quality_complaint	用了三天就开不了机
quality_complaint	鞋底开胶了 才穿一周
quality_complaint	衣服上有个洞
wrong_or_missing_item	我买的黑色 收到是白色的
wrong_or_missing_item	拍的M码 发来的是L码
wrong_or_missing_item	买了两件只收到一件
wrong_or_missing_item	赠品没有啊 说好的送袜子呢
wrong_or_missing_item	盒子里少了个充电器
wrong_or_missing_item	你们发错货了 这不是我买的
price_protection	我前天买的 今天降了二十块 能退差价吗
price_protection	刚买完就搞活动 太坑了 补个差价吧
price_protection	你们保价吗 双十一会不会更便宜
price_protection	现在领券比我买的便宜 能补吗
usage_help	这个羊毛衫怎么洗 能机洗吗
usage_help	收到了不会装 有安装视频吗
usage_help	蓝牙耳机怎么连手机
usage_help	第一次用需要先充满电吗
usage_help	这个面膜一周用几次
usage_help	灯一直闪红灯是怎么回事 怎么设置
complaint	你们到底管不管 再拖我就投诉
complaint	什么破服务 我要给差评
complaint	一个星期了还不发货 我要投诉
complaint	东西坏了也不给处理 我去12315了
complaint	你们客服态度太差了 叫你们主管来
complaint	骗子 我要找平台介入
complaint	太过分了 我要曝光你们
human_agent	转人工转人工
human_agent	我不要机器人 要真人
human_agent	帮我转个人工客服
human_agent	你是机器人吧 找个人来回答
human_agent	人工客服在哪
thanks_bye	好的 谢谢亲
thanks_bye	知道了 没事了
thanks_bye	ok 那我先拍了
thanks_bye	好滴 辛苦啦
thanks_bye	嗯嗯 谢谢
thanks_bye	行 那我等着
other	你们是哪里的公司
other	招不招兼职客服
other	可以做代理吗
other	哈哈哈哈
other	发错了 不好意思
other	你们店开了几年了
greeting	亲 在吗在吗 有点事问下
greeting	hello~有人在吗
greeting	你好 请问有客服在线嘛
greeting	老板～～
greeting	hi 亲爱的客服
greeting	喂 有人不
product_info	这条牛仔裤是直筒的还是阔腿的啊
product_info	鞋底软不软 走路多了会不会累
product_info	这个锅能用电磁炉吗
product_info	是几个人用的量 一家四口够不够
product_info	在吗 这件羽绒服含绒量多少 是白鸭绒吗
product_info	被子是几斤的 冬天盖够不够暖和
product_info	这个手机壳防摔吗
product_info	衬衫要熨吗 容不容易皱
product_info	这个零食是哪里产的 有没有添加防腐剂
product_info	你们家这个是正品吗 会不会是高仿
size_advice	在吗 我163 108斤 上衣拍M还是L好
size_advice	亲 155cm 45kg 平时穿xs 这款需要拍大吗
size_advice	男 183 85公斤 肚子有点大 选哪个码
size_advice	我胸围比较大 腰细 这种衬衫怎么选码啊
size_advice	鞋子是标准码吗 我脚有点宽
size_advice	一米八 一百六十斤 拿3XL会不会太大
size_advice	宝宝两岁半 九十公分 穿哪个码
stock_check	亲 灰色那款L码什么时候能补上
stock_check	这个颜色还有没有 刚刚还能选 现在点不了了
stock_check	我想买十个送人 有没有这么多库存
stock_check	预售的那款现在有现货了吗
stock_check	40码有吗 有的话我马上拍
price_bargain	亲能不能便宜一点 我连拍三件
price_bargain	老板 一口价一百 行就拍
price_bargain	太贵了 便宜点嘛 我看好几天了
price_bargain	零头抹了我现在就付款
price_bargain	买两个能不能给我算便宜点啊😂
promotion	亲 现在买有送东西吗
promotion	今天下单可以参加满减吗
promotion	有没有什么优惠券可以用的
promotion	店铺会员怎么加入 有折扣吗
promotion	这个活动明天还有吗
shipping_fee	亲 发内蒙古包邮吗
shipping_fee	我是海南的 运费怎么算啊
shipping_fee	买一件要运费吗 两件呢
shipping_fee	不包邮的话运费多少钱
shipping_fee	寄到台湾可以吗 运费贵不贵
delivery_time	今天拍的话 最快什么时候能收到
delivery_time	下周三前必须收到 能不能保证
delivery_time	我在云南 大概要几天到
delivery_time	是不是今天下单明天就发
delivery_time	现在付款今天几点发走
courier_choice	顺丰的话多少钱 能发吗
courier_choice	我们这边只能收到邮政的包裹
courier_choice	不要发百世 我这没有网点
courier_choice	你们家是发圆通还是韵达
invoice	亲 开票的话需要提供什么信息
invoice	发票能开服装类吗
invoice	我是公司采购 需要开13个点的专票
invoice	发票是电子的还是纸质的
payment_issue	亲 我付款一直显示网络异常
payment_issue	能不能用信用卡分期
payment_issue	拍下了 等你改价
payment_issue	我付了钱 怎么订单显示已关闭
cod	亲 支持货到付款吗 我第一次买
cod	可以收货的时候给钱吗
cod	到付行吗 钱给快递小哥
other_platform	你们是不是在京东也开了店 那边价格一样吗
other_platform	能加个微信吗 以后直接找你买
other_platform	这款我在小红书看到的 你们家是正版吗
other_platform	你们线下有门店吗 想去试穿
order_modify	亲 我还没发货吧 地址帮我改成公司的
order_modify	下单的时候电话号码少写了一位
order_modify	颜色帮我改成卡其色 尺码不变
order_modify	两个订单能一起发吗 省点运费
order_modify	先别发货 等我确定了地址再说
order_cancel	亲 那个订单帮我取消一下 不需要了
order_cancel	家里已经有人买了 这单取消吧
order_cancel	我重新拍了一单 之前那单取消掉
order_cancel	刚付款就后悔了 能取消吗
urge_shipping	亲 麻烦看下我的订单 怎么还没发货
urge_shipping	拍了快一周了还没发 还要等多久
urge_shipping	能不能快点发货啊 都等好久了
urge_shipping	我这单今天能发吗 已经拖了三天了
urge_shipping	为啥我朋友后买的都发了 我的还没发
logistics_query	亲 我的包裹怎么一直在广州不动
logistics_query	物流显示到了我们市 怎么还没派送
logistics_query	快递停在中转站四天了 帮忙问问
logistics_query	能帮我看看快递现在到哪了吗
logistics_query	韵达单号4312345678901 一直没更新
not_received	快递显示已签收 可我今天一直在家 没人来过
not_received	包裹显示已投递到快递柜 但我没收到取件短信
not_received	物流说签收了 谁签的我不知道 我没拿到
return_exchange	亲 裙子收到了 太长了想退
return_exchange	鞋子有点大 能换小一码的吗
return_exchange	收到的颜色跟图片差好多 能退吗
return_exchange	退货的话运费险能赔多少
return_exchange	我想换一件别的款式可以吗
refund_status	亲 退款什么时候能到 我已经寄回去了
refund_status	退货签收三天了 怎么还没退款
refund_status	退款怎么只退了一部分
refund_status	我的退款被拒绝了 为什么
quality_complaint	亲 收到的衣服袖子上有污渍
quality_complaint	才用了一个月就坏了 这质量也太差了
quality_complaint	杯子盖子拧不紧 一直漏水
quality_complaint	面料起球严重 才穿两次
quality_complaint	鞋子穿了两天鞋底就断了
wrong_or_missing_item	收到的是37码 我拍的是38码
wrong_or_missing_item	买了三样东西 只到了两样
wrong_or_missing_item	你们是不是把别人的东西发给我了
wrong_or_missing_item	包装里没有说明书 也没有充电线
price_protection	亲 我买完第二天就降价了 能退差价吗
price_protection	现在活动价比我买的便宜三十多
price_protection	你们家有没有保价服务
complaint	你们这服务真的太差了 我要投诉
complaint	等了这么多天 没一个人管 差评
complaint	东西有问题不给解决 我去找消费者协会
complaint	再这样我就去抖音曝光你们
complaint	你们这是欺骗消费者 我要举报
human_agent	麻烦帮我转一下人工 谢谢
human_agent	机器人回答不了 找个人来
human_agent	有没有人工客服啊 问题比较复杂
thanks_bye	好的 辛苦你了 拜拜
thanks_bye	明白了 谢谢哈
thanks_bye	没有其他问题了 谢谢
thanks_bye	OK 已经拍了
other	你们客服是几点下班的
other	老板你们是哪里人啊
other	我想当你们的分销商
other	哈哈 你好可爱
"""


def handwritten_rows() -> list[tuple[str, str]]:
    rows = []
    for line in HANDWRITTEN.strip().splitlines():
        intent, _, text = line.partition("\t")
        if text:
            rows.append((text, intent))
    return rows
