/* kefu agent console: plain JavaScript, no framework, no inline code (the page's CSP).
 *
 * Every value that comes from the API (customer text above all) is written with
 * textContent or as an attribute value, never parsed as HTML.
 */
(function () {
  "use strict";

  // ---------------------------------------------------------------- texts (zh, en)

  const T = {
    "skip": ["跳到主要内容", "Skip to main content"],
    "app.title": ["坐席工作台", "Agent console"],
    "time.zone": ["时间均为北京时间", "Times in Beijing time"],
    "ui.language": ["界面语言", "Interface language"],
    "presence.label": ["状态", "Presence"],
    "presence.online": ["在线", "Online"],
    "presence.away": ["小休", "Away"],
    "presence.offline": ["离线", "Offline"],
    "logout": ["退出", "Sign out"],
    "live.live": ["实时连接", "Live"],
    "live.connecting": ["连接中", "Connecting"],
    "live.reconnecting": ["重新连接中", "Reconnecting"],
    "login.title": ["坐席登录", "Agent sign-in"],
    "login.hint": ["请使用您的工号和密码登录。", "Sign in with your agent ID and password."],
    "login.agent_id": ["工号", "Agent ID"],
    "login.password": ["密码", "Password"],
    "login.submit": ["登录", "Sign in"],
    "login.required": ["请输入工号和密码", "Enter your agent ID and password"],
    "login.expired": ["登录已过期，请重新登录", "Your session has ended; please sign in again"],
    "login.signed_out": ["您已安全退出", "You have signed out"],
    "tab.workspace": ["会话工作台", "Workspace"],
    "tab.supervisor": ["班组监控", "Supervisor"],
    "tab.complaints": ["投诉工单", "Complaints"],
    "complaints.mine": ["我的投诉", "My complaints"],
    "complaints.mine_empty": ["暂无您认领的投诉", "No complaints claimed by you"],
    "complaints.queue": ["待认领投诉", "Complaint queue"],
    "complaints.queue_empty": ["暂无待认领的投诉", "No complaints waiting"],
    "complaints.team": ["他人处理中", "Claimed by colleagues"],
    "complaints.team_empty": ["无", "None"],
    "complaints.tab_count": ["待认领 {queue} · 我的 {mine}", "Queue {queue} · Mine {mine}"],
    "complaint.none": ["请从左侧选择一个投诉工单", "Select a complaint on the left"],
    "complaint.gone": ["该投诉不存在，或已由其他坐席处理", "No such complaint, or another agent has it"],
    "complaint.claim": ["认领", "Claim"],
    "complaint.release": ["退回队列", "Release"],
    "complaint.reassign": ["改派", "Reassign"],
    "complaint.reassign_to": ["改派给坐席", "Reassign to agent"],
    "complaint.need_agent": ["请选择坐席（姓名或工号）", "Choose an agent (name or ID)"],
    "complaint.details": ["投诉详情", "Complaint"],
    "complaint.history": ["处理记录", "History"],
    "complaint.note_label": ["添加备注（仅内部可见）", "Add a note (internal)"],
    "complaint.add_note": ["添加备注", "Add note"],
    "complaint.need_note": ["请填写备注内容", "Write the note first"],
    "complaint.noted": ["备注已添加", "Note added"],
    "complaint.resolve_title": ["处理结果", "Resolution"],
    "complaint.resolve_hint": ["提交后，系统将按上方“结果通知”所列方式告知客户处理结果，并询问客户是否接受。",
      "Once resolved, the customer is told as “Outcome notice” above says, and asked whether they accept the outcome."],
    "complaint.claimed": ["已认领", "Claimed"],
    "complaint.released": ["已退回队列", "Released to the queue"],
    "complaint.reassigned": ["已改派给", "Reassigned to"],
    "complaint.assigned_to_you": ["有投诉工单改派给您", "A complaint was assigned to you"],
    "complaint.owner": ["处理人", "Owner"],
    "complaint.unowned": ["待认领", "Unclaimed"],
    "complaint.description": ["问题描述", "Description"],
    "complaint.amount": ["涉及金额", "Amount"],
    "complaint.incident_date": ["发生日期", "Date"],
    "complaint.card": ["卡号后四位", "Card (last four)"],
    "complaint.desired_outcome": ["客户诉求", "Desired outcome"],
    "complaint.customer": ["客户", "Customer"],
    "complaint.anonymous": ["未验证身份", "Not identified"],
    "complaint.created": ["提交时间", "Filed"],
    "complaint.due": ["答复时限", "Due"],
    "complaint.claimed_at": ["认领时间", "Claimed"],
    "complaint.resolution": ["处理结果", "Resolution"],
    "complaint.verdict": ["客户反馈", "Customer's verdict"],
    "wish.refund": ["退款或赔偿", "A refund or compensation"],
    "wish.correction": ["更正错误", "Put the mistake right"],
    "wish.explanation": ["给出解释", "An explanation"],
    "wish.apology": ["道歉", "An apology"],
    "complaint.accepted": ["客户接受", "Accepted"],
    // Where the outcome would go if resolved now (the outbox's own answer, GET …/complaints/{number}).
    "notice_to.label": ["结果通知", "Outcome notice"],
    "notice_to.will_go": ["结果将通知至：", "The outcome will be sent to: "],
    "notice_to.none": ["不发送通知：", "No notice will be sent: "],
    "notice_to.sms": ["短信", "text message"],
    "notice_to.email": ["电子邮件", "e-mail"],
    "notice_to.phone": ["电话（由您致电）", "a call you make"],
    "notice_to.in_conversation": ["客户选择在原会话中答复", "the customer chose to be answered in their conversation"],
    // The way the customer chose cannot work (GET …/complaints/{number}: outcome_notice_to.call_customer).
    "notice_to.warn.email.not_configured": ["客户选择邮件通知，但系统未配置邮件发送：请致电客户告知结果",
      "The customer chose e-mail, but e-mail is not set up: please call the customer"],
    "notice_to.warn.sms.not_configured": ["客户选择短信通知，但系统未配置短信发送：请致电客户告知结果",
      "The customer chose a text message, but texting is not set up: please call the customer"],
    "notice_to.warn.email.no_email": ["客户选择邮件通知，但没有电子邮箱地址：请致电客户告知结果",
      "The customer chose e-mail, but no address is known: please call the customer"],
    "notice_to.warn.sms.no_mobile": ["客户选择短信通知，但没有可接收短信的手机号码：请致电客户告知结果",
      "The customer chose a text message, but no mobile number is known: please call the customer"],
    "notice_to.warn.phone.no_phone": ["客户选择电话告知，但没有可拨打的电话号码：请通过其他方式告知客户结果",
      "The customer asked for a call, but no number is known: please reach them another way"],
    "notice_to.warn": ["无法按客户选择的方式通知：请致电客户告知结果",
      "The customer cannot be told the way they chose: please call them"],
    "notice_to.no_number": ["（无可拨打的电话号码）", "(no number to call is known)"],
    "complaint.not_accepted": ["客户不接受", "Not accepted"],
    "outcome.told_here": ["已在客户的会话中告知处理结果", "The customer was told in their conversation"],
    "outcome.sms.sent": ["已短信通知客户", "The customer was texted"],
    "outcome.email.sent": ["已邮件通知客户", "The customer was e-mailed"],
    "outcome.call": ["请致电客户：", "Please call the customer: "],
    "outcome.call_no_number": ["请致电客户（工单未留电话号码）", "Please call the customer (the ticket holds no number)"],
    "outcome.sms.not_configured": ["短信未发送：未配置短信网关", "Text not sent: no SMS gateway configured"],
    "outcome.email.not_configured": ["邮件未发送：未配置邮件服务器", "E-mail not sent: no SMTP relay configured"],
    "outcome.sms.failed": ["短信发送失败", "Text not sent"],
    "outcome.email.failed": ["邮件发送失败", "E-mail not sent"],
    "outcome.sms.pending": ["短信发送中，结果将记入处理记录", "Still sending the text; the result goes into the history"],
    "outcome.email.pending": ["邮件发送中，结果将记入处理记录", "Still sending the e-mail; the result goes into the history"],
    "outcome.sms.already_told": ["客户已在短信会话中获知结果", "The customer was told in their SMS conversation"],
    "outcome.retrying": ["发送暂未成功，系统将自动重试", "Not delivered yet; retrying automatically"],
    "outcome.gave_up": ["多次发送失败，请电话联系客户", "Could not be delivered after several attempts; please call the customer"],
    // A text or e-mail that could not go: the customer was not told.
    "outcome.call_instead": ["客户未收到短信或邮件通知，请致电客户告知结果：",
      "The text or e-mail did not reach the customer: please call them with the outcome: "],
    "outcome.call_instead_no_number": ["客户未收到短信或邮件通知，且无可拨打的电话号码：请通过其他方式告知客户结果",
      "The text or e-mail did not reach the customer, and no number to call is known: please reach them another way"],
    "complaint.undelivered": ["未送达", "Not delivered"],
    "complaint.undelivered_hint": ["处理结果的短信或邮件未能送达客户，请告知客户",
      "The outcome's text or e-mail did not reach the customer: please tell them"],
    "complaint.told": ["已告知客户", "Customer told"],
    "complaint.told_hint": ["通过电话等方式告知客户处理结果后，点击此处记录", "Once you have told the customer the outcome (by phone or otherwise), record it here"],
    "complaint.told_done": ["已记录：已告知客户处理结果", "Recorded: the customer was told the outcome"],
    // The history lines kefu writes (actions/tickets/history.py); {name}: a parameter.
    "history.received": ["已受理客户投诉", "Complaint received"],
    "history.callback_requested": ["客户申请回电", "Callback requested"],
    "history.accepted": ["客户接受处理结果", "The customer accepted the outcome"],
    "history.not_accepted": ["客户不接受处理结果，工单已重新打开", "The customer did not accept the outcome; reopened"],
    "history.outcome_told": ["{by} 已告知客户处理结果", "The customer was told the outcome by {by}"],
    "history.claimed": ["已认领：{by}", "Claimed by {by}"],
    "history.released": ["{by} 已退回队列", "Released to the queue by {by}"],
    "history.released_for": ["{by} 已将 {previous_owner} 认领的投诉退回队列",
      "Released to the queue by {by} (claimed by {previous_owner})"],
    "history.reassigned": ["{by} 已将投诉由 {previous_owner} 改派给 {owner}",
      "Reassigned from {previous_owner} to {owner} by {by}"],
    "history.reassigned_from_queue": ["{by} 已将待认领投诉派给 {owner}", "Assigned from the queue to {owner} by {by}"],
    "mine.title": ["我的会话", "My conversations"],
    "mine.empty": ["暂无会话", "No conversations"],
    "queue.title": ["等待队列", "Queue"],
    "queue.empty": ["队列为空", "Nobody is waiting"],
    "list.priority": ["优先级", "Priority"],
    "list.waited": ["等待时长", "Waited"],
    "list.wait": ["等待", "wait"],
    "list.position": ["排队位置", "Position"],
    "list.unread": ["未读", "unread"],
    "conversation.none": ["请从左侧选择一个会话", "Select a conversation on the left"],
    "conversation.id": ["会话编号", "Conversation"],
    "conversation.handed_over": ["以上为转人工前的对话", "Conversation before the handoff"],
    "conversation.live_start": ["人工服务", "Agent conversation"],
    "conversation.resolved": ["本会话已结束，机器人已恢复服务并邀请客户评价。",
      "This conversation is resolved; the bot has taken over and asks the customer for feedback."],
    "conversation.transferred": ["本会话已转出：", "This conversation was transferred to:"],
    "conversation.reassigned": ["本会话已改派给其他坐席或退回队列（由班组长操作，或因您断线过久）。",
      "This conversation was reassigned or returned to the queue (by a supervisor, or because you were disconnected too long)."],
    "conversation.gone": ["该会话已不在您的名下（可能已被其他坐席接入或转出）。",
      "This conversation is no longer yours (another agent may have taken it)."],
    "conversation.readonly": ["只读：该会话由其他坐席处理。", "Read only: another agent holds this conversation."],
    "conversation.holder": ["处理坐席：", "Held by:"],
    "conversation.accept_first": ["请先接入会话再回复", "Accept the conversation to reply"],
    "role.customer": ["客户", "Customer"],
    "role.bot": ["智能客服", "Bot"],
    "role.agent": ["坐席", "Agent"],
    "role.system": ["系统", "System"],
    "line.choices": ["提供的选项", "Choices offered"],
    "line.clicked": ["点选按钮", "Button choice"],
    "status.queued": ["排队中", "Waiting"],
    "status.assigned": ["新分配", "New (offered)"],
    "status.active": ["处理中", "Active"],
    "status.resolved": ["已结束", "Resolved"],
    "status.transferred": ["已转出", "Transferred"],
    "status.reassigned": ["已改派", "Reassigned"],
    "status.gone": ["不可用", "Unavailable"],
    "priority.urgent": ["紧急", "Urgent"],
    "priority.high": ["高", "High"],
    "priority.normal": ["普通", "Normal"],
    "lang.zh": ["中文", "Chinese"],
    "lang.en": ["英文", "English"],
    "action.accept": ["接入", "Accept"],
    "action.transfer": ["转接", "Transfer"],
    "action.reassign": ["改派", "Reassign"],
    "action.resolve": ["结束会话", "Resolve"],
    "action.send": ["发送", "Send"],
    "action.cancel": ["取消", "Cancel"],
    "action.open_ticket": ["开工单", "Open ticket"],
    "action.ticket_resolve": ["处理完毕", "Resolve"],
    "action.dismiss": ["关闭", "Dismiss"],
    "ticket.title": ["为客户开工单", "Open a ticket for the customer"],
    "ticket.hint": ["投诉工单，24 小时内答复客户。", "A complaint ticket: the customer is answered within 24 hours."],
    "ticket.category": ["类别", "Category"],
    "ticket.choose_category": ["请选择类别…", "Choose a category…"],
    "ticket.description": ["问题描述（必填）", "Description (required)"],
    "ticket.outcome": ["客户期望的处理结果（可选）", "Outcome the customer wants (optional)"],
    "ticket.outcome_placeholder": ["如：退款、更正、解释、道歉", "e.g. refund, correction, explanation, apology"],
    "ticket.need_description": ["请填写问题描述", "Describe the problem first"],
    "ticket.too_long": ["问题描述最多 2000 字", "The description is 2000 characters at most"],
    "ticket.opened": ["工单已开立", "Ticket opened"],
    "ticket.due": ["答复时限", "Due"],
    "ticket.resolved": ["工单已处理完毕", "Ticket resolved"],
    "ticket.notified": ["已通知客户", "The customer has been notified"],
    "ticket.with_agent": ["客户正在人工会话中，请在对话中直接告知处理结果",
      "The customer is in a chat with an agent: tell them the outcome there"],
    "ticket.not_notified": ["未能通知客户（客户查询工单时可看到结果）",
      "The customer could not be notified (they see the outcome when they ask)"],
    "ticket_resolve.title": ["处理工单", "Resolve ticket"],
    "ticket_resolve.hint": ["客户将在其渠道收到处理结果，并被询问是否接受。",
      "The customer is told in their channel and asked whether the outcome is acceptable."],
    "ticket_resolve.resolution": ["处理结果（必填，客户可见）", "Resolution (required, the customer sees it)"],
    "ticket_resolve.need_resolution": ["请填写处理结果", "Enter the resolution first"],
    "category.fees": ["收费", "Fees"],
    "category.transfer": ["转账", "Transfers"],
    "category.loan": ["贷款", "Loans"],
    "category.card": ["银行卡", "Cards"],
    "category.digital": ["电子渠道", "Digital banking"],
    "category.service": ["服务", "Service"],
    "category.other": ["其他", "Other"],
    "category.callback": ["回电", "Callback"],
    "ticket_status.open": ["待处理", "Open"],
    "ticket_status.in_progress": ["处理中", "In progress"],
    "ticket_status.reopened": ["重新处理", "Reopened"],
    "ticket_status.resolved": ["已处理", "Resolved"],
    "ticket_status.closed": ["已办结", "Closed"],
    "callbacks.title": ["回电请求", "Callbacks"],
    "callbacks.empty": ["暂无回电请求", "No callback requests"],
    "callbacks.overdue": ["已超时", "Overdue"],
    "callbacks.due": ["回电时限", "Due"],
    "canned.label": ["常用语", "Canned replies"],
    "canned.pick": ["选择常用语", "Choose a canned reply"],
    "canned.placeholder": ["插入常用语…", "Insert a canned reply…"],
    "reply.label": ["回复内容", "Your reply"],
    "reply.placeholder": ["输入回复内容…", "Type your reply…"],
    "reply.hint": ["Ctrl+Enter 发送", "Ctrl+Enter to send"],
    "reply.empty": ["请输入回复内容", "Type a reply first"],
    "reply.sent": ["已发送", "Sent"],
    "context.title": ["转人工信息", "Handoff context"],
    "context.reason": ["转接原因", "Reason"],
    "context.summary": ["摘要", "Summary"],
    "context.intents": ["意图", "Intents"],
    "context.emotion": ["情绪轨迹", "Emotion trajectory"],
    "context.customer": ["客户信息", "Customer"],
    "context.no_customer": ["未验证身份，无客户资料", "Not identified: no customer profile"],
    "context.tickets": ["未结工单", "Open tickets"],
    "context.no_tickets": ["无", "None"],
    "context.none": ["—", "—"],
    "customer.display_name": ["称呼", "Name"],
    "customer.unverified": ["未验证客户", "Unverified customer"],
    "customer.customer_number": ["客户号", "Customer no."],
    "customer.segment": ["客户层级", "Segment"],
    "customer.relationship_manager": ["客户经理", "Relationship manager"],
    "customer.relationship_manager_agent_id": ["客户经理工号", "RM agent ID"],
    "customer.phone": ["手机", "Phone"],
    "customer.email": ["邮箱", "Email"],
    "customer.address": ["地址", "Address"],
    "customer.preferred_language": ["首选语言", "Preferred language"],
    "customer.contact_preference": ["联系偏好", "Contact preference"],
    "contact.label": ["联系方式", "Contact"],
    "contact.this_channel": ["在原渠道回复", "Reply in this channel"],
    "contact.phone": ["电话联系", "Phone call"],
    "contact.sms": ["短信通知", "Text message"],
    "contact.email": ["邮件通知", "Email"],
    "contact.reveal": ["显示完整", "Reveal"],
    "contact.reveal_hint": ["查看完整号码或地址将记入审计", "Revealing the full number or address is audited"],
    "overflow.badge": ["跨技能分配", "Skill overflow"],
    "overflow.hint": ["等待过久，已分配给不具备所需技能的坐席；如需可转接至对应技能队列",
      "Offered without the skill it needs, after a long wait: you may transfer it to that skill's queue"],
    "segment.private": ["私人银行", "Private banking"],
    "segment.affluent": ["财富客户", "Affluent"],
    "segment.mass": ["大众客户", "Mass retail"],
    "transfer.title": ["转接会话", "Transfer the conversation"],
    "transfer.to": ["转接至", "Transfer to"],
    "transfer.agent": ["指定坐席", "An agent"],
    "transfer.skill": ["技能队列", "A skill queue"],
    "transfer.agent_id": ["坐席（姓名或工号）", "Agent (name or ID)"],
    "transfer.need_agent": ["请选择坐席（姓名或工号）", "Choose an agent (name or ID)"],
    "transfer.done_agent": ["已转接给坐席", "Transferred to agent"],
    "transfer.done_skill": ["已转入技能队列", "Sent to the skill queue"],
    "reassign.title": ["改派会话", "Reassign the conversation"],
    "reassign.hint": ["可改派给在线、有空位且服务该队列（语言与技能）的坐席，或退回队列由下一位空闲坐席接待（保留原排队位置）。客户将收到通知。",
      "To an online agent with room who serves its queue (language and skill), or back to the queue for the next available agent (its place kept). The customer is told."],
    "reassign.to": ["改派至", "Reassign to"],
    "reassign.queue": ["退回队列（下一位空闲坐席）", "Back to the queue (next available agent)"],
    "reassign.done_agent": ["已改派给", "Reassigned to"],
    "reassign.done_queue": ["已退回队列", "Returned to the queue"],
    "skill.general": ["综合业务", "General"],
    "skill.complaints": ["投诉处理", "Complaints"],
    "skill.fraud": ["反欺诈", "Fraud"],
    "skill.wealth": ["财富管理", "Wealth"],
    "resolve.title": ["结束会话", "Resolve the conversation"],
    "resolve.hint": ["结束后机器人将恢复服务并邀请客户评价。",
      "The bot takes over again and asks the customer to rate the service."],
    "resolve.note": ["处理备注（可选）", "Resolution note (optional)"],
    "resolve.done": ["会话已结束", "Conversation resolved"],
    "accept.done": ["已接入会话", "Conversation accepted"],
    "presence.done": ["状态已更新", "Presence updated"],
    "presence.requeued": ["个会话已退回队列", "conversation(s) returned to the queue"],
    "presence.confirm_offline": ["离线后您手中的会话将退回队列，确定吗？",
      "Going offline returns your conversations to the queue. Continue?"],
    "event.offered": ["新会话已分配给您", "A new conversation was offered to you"],
    "event.offer_withdrawn": ["会话未及时接入，已退回队列；您的状态已设为小休",
      "Not accepted in time: the conversation went back to the queue and you are now Away"],
    "event.transferred_in": ["有会话转接给您", "A conversation was transferred to you"],
    "event.reassigned_in": ["班组长将一个会话改派给您", "A supervisor reassigned a conversation to you"],
    "event.reassigned_away": ["班组长已将您的一个会话改派", "A supervisor reassigned one of your conversations"],
    "event.returned_away": ["您断线过久，一个会话已退回队列", "You were disconnected too long: a conversation went back to the queue"],
    "event.shift_ended": ["工作台断开连接过久，您已自动下线；已接入的会话仍由您处理，请重新设为在线",
      "Your console was disconnected too long and you are now Offline; your accepted conversations are still yours: set yourself Online again"],
    "sup.disconnected": ["已断线", "Disconnected"],
    "sup.disconnected_hint": ["工作台断开连接过久，已自动下线；所列会话仍等待该坐席",
      "Console disconnected too long, taken off shift; the conversations listed still wait for this agent"],
    "sup.title": ["班组实时监控", "Team overview"],
    "sup.refresh": ["刷新", "Refresh"],
    "sup.updated": ["更新于", "Updated"],
    "sup.waiting": ["排队总数", "Waiting"],
    "sup.p50": ["等待时长 P50", "Wait p50"],
    "sup.p95": ["等待时长 P95", "Wait p95"],
    "sup.breach_count": ["超出服务水平", "SLA breaches"],
    "sup.agents": ["坐席状态与负载", "Agents: presence and load"],
    "sup.agent": ["坐席", "Agent"],
    "sup.load": ["负载", "Load"],
    "sup.conversations": ["会话", "Conversations"],
    "sup.breaches": ["超时等待的会话", "Conversations past their wait SLA"],
    "sup.no_breaches": ["无超时会话", "No breaches"],
    "sup.no_agents": ["暂无坐席数据", "No agents yet"],
    "sup.missed": ["未及时接入的会话（近 24 小时）", "Missed offers (last 24 hours)"],
    "sup.missed_at": ["时间", "Time"],
    "sup.offered_for": ["已分配时长", "Offered for"],
    "sup.no_missed": ["无未及时接入的会话", "No missed offers"],
    "sup.conversation": ["会话", "Conversation"],
    "sup.kpi": ["今日指标", "Today's KPIs"],
    "kpi.conversations": ["会话量", "Conversations"],
    "kpi.csat_responses": ["评价数", "CSAT responses"],
    "kpi.csat_percent": ["满意率", "CSAT (4–5)"],
    "kpi.csat_average": ["平均评分", "Average score"],
    "kpi.complaints": ["投诉数", "Complaints"],
    "kpi.complaint_rate": ["投诉率", "Complaint rate"],
    "kpi.answered_within_sla_percent": ["24 小时内答复率", "Answered within SLA"],
    "kpi.overdue_tickets": ["超期工单", "Overdue tickets"],
    "error.request": ["操作失败：", "Request failed: "],
    "error.network": ["网络连接失败，请检查网络后重试", "Network error: check the connection and retry"],
    "error.not_yours": ["该会话不属于您", "This conversation is not yours"],
    "error.not_eligible": ["您不具备该会话所需的语言或技能", "You lack the language or skill it needs"],
    "error.reserved": ["该会话为客户的专属客户经理保留", "Reserved for the customer's relationship manager"],
    "error.unavailable": ["该会话已被其他坐席接入或已结束", "Another agent has it, or it has ended"],
    "error.at_capacity": ["您的会话数已达上限", "You are at your maximum number of conversations"],
    "error.not_online": ["请先将状态设为在线", "Set your presence to online first"],
    "error.target_not_online": ["目标坐席不在线", "The target agent is not online"],
    "error.target_at_capacity": ["目标坐席会话已满", "The target agent is at capacity"],
    "error.same_agent": ["不能转接给自己", "You cannot transfer to yourself"],
    "error.target_language": ["目标坐席不使用该客户的语言", "The target agent does not speak the customer's language"],
    "error.already_resolved": ["该会话已结束", "Already resolved"],
    "error.no_conversation": ["会话不存在", "No such conversation"],
    "error.not_held": ["该会话当前无坐席处理（排队中或已结束）", "No agent holds this conversation (it is waiting, or resolved)"],
    "error.already_theirs": ["该会话已由此坐席处理", "That agent already holds this conversation"],
    "error.target_skill": ["目标坐席不具备该会话所需技能", "The target agent lacks the skill this conversation needs"],
    "error.unknown_agent": ["坐席不存在或账号已停用", "No such agent, or the account is disabled"],
    "error.wrong agent id or password": ["工号或密码错误", "Wrong agent ID or password"],
    "error.too many failed sign-ins; try again later": ["登录失败次数过多，请稍后再试",
      "Too many failed sign-ins; try again later"],
    "error.sign in first": ["请先登录", "Sign in first"],
    "error.missing or wrong CSRF token": ["安全令牌无效，请刷新页面", "Security token invalid: reload the page"],
    "error.accept the conversation before replying": ["请先接入会话再回复", "Accept the conversation before replying"],
    "error.no such conversation": ["会话不存在或您无权查看", "No such conversation, or not visible to you"],
    "error.the message could not be delivered; try again": ["消息未能送达，请重试",
      "The message could not be delivered; try again"],
    "error.supervisors only": ["仅限班组长", "Supervisors only"],
    "error.account disabled": ["账号已停用", "Account disabled"],
    "error.only the agent holding the conversation": ["仅限正在处理该会话的坐席",
      "Only the agent holding the conversation can do this"],
    "error.'description' is required (2000 characters at most)": ["请填写问题描述（最多 2000 字）",
      "A description is required (2000 characters at most)"],
    "error.'resolution' is required": ["请填写处理结果", "A resolution is required"],
    "error.not a ticket number (KF-YYYYMMDD-NNNNN)": ["工单号格式不正确（KF-年月日-序号）",
      "Not a ticket number (KF-YYYYMMDD-NNNNN)"],
    "error.category": ["请选择工单类别", "Choose a ticket category"],
    "error.only the agent holding the conversation, or a supervisor": ["仅限正在处理该会话的坐席或班组长",
      "Only the agent holding the conversation, or a supervisor"],
    "error.no_contact": ["该工单未留联系方式", "The ticket holds no contact detail"],
    "error.no_ticket": ["工单不存在", "No such ticket"],
    "error.not_found": ["该投诉不存在，或您无权查看", "No such complaint, or not visible to you"],
    "error.taken": ["该投诉已被其他坐席认领", "Another agent has claimed this complaint"],
    "error.claim_first": ["请先认领该投诉", "Claim the complaint first"],
    "error.unowned": ["该投诉尚无人认领", "Nobody has claimed this complaint"],
    "error.closed": ["该投诉已处理完毕", "The complaint is already resolved"],
    "error.delivered": ["该投诉没有待告知客户的结果（可能已由他人记录）", "Nothing is left to tell the customer (someone may have recorded it)"],
    "error.changed": ["该投诉刚被他人改动，请刷新后重试", "The complaint changed meanwhile; try again"],
    "error.not_on_team": ["该坐席不在投诉处理组（需具备投诉处理技能）", "That agent is not on the complaints team"],
    "error.same_owner": ["该投诉已由此坐席处理", "That agent already has it"],
    "error.supervisors_only": ["仅限班组长", "Supervisors only"],
    "error.claimed": ["该工单已由其他坐席认领，仅认领人或班组长可处理",
      "Another agent claimed this ticket: only they or a supervisor may resolve it"],
    "error.already_resolved": ["该工单已处理完毕", "The ticket is already resolved"],
  };

  // Service errors with a value (a ticket number) in them: the value, then the key's text.
  const ERROR_PATTERNS = [
    [/^'category' must be one of /, "error.category"],
    [/^no ticket (\S+)$/, "error.no_ticket"],
    [/^no contact detail on (\S+)$/, "error.no_contact"],
    [/^(\S+) is already resolved$/, "error.already_resolved"],
  ];

  const REASONS = {
    customer_request: ["客户要求转人工", "Customer asked for a person"],
    bot_request: ["机器人无法处理", "Bot could not help"],
    stolen_card: ["卡片被盗", "Stolen card"],
    fraud: ["疑似欺诈", "Suspected fraud"],
    complaint: ["投诉", "Complaint"],
    ticket_status: ["工单进度", "Ticket status"],
    profile_update: ["资料修改", "Profile update"],
    relationship_manager: ["联系客户经理", "Relationship manager"],
    anger: ["客户情绪激动", "Angry customer"],
    anxiety: ["客户焦虑", "Anxious customer"],
    rising_distress: ["情绪持续恶化", "Rising distress"],
    bereavement: ["丧亲事务", "Bereavement"],
    regulator_threat: ["扬言投诉至监管", "Threat to go to the regulator"],
    repeated_fallback: ["多次未能理解", "Repeatedly not understood"],
  };

  const EMOTIONS = {
    neutral: ["平静", "neutral"],
    happy: ["愉快", "happy"],
    sad: ["低落", "sad"],
    anxious: ["焦虑", "anxious"],
    angry: ["愤怒", "angry"],
  };

  const CHANNELS = {
    rest: ["接口", "REST"],
    web: ["网页", "Web"],
    socketio: ["网页", "Web"],
    sms: ["短信", "SMS"],
    twilio: ["短信", "SMS"],
    wechat: ["微信", "WeChat"],
    app: ["手机银行", "App"],
    cmdline: ["命令行", "CLI"],
    unknown: ["未知渠道", "Unknown"],
  };

  const ERROR_CODES = new Set(Object.keys(T).filter((k) => k.startsWith("error.")).map((k) => k.slice(6)));
  const MAX_REPLY = 2000;
  const SUPERVISOR_REFRESH_MS = 10000;
  const FALLBACK_POLL_MS = 15000;
  const PING_MS = 25000;
  const CALLBACK_REFRESH_MS = 30000;
  const MAX_TICKET_TEXT = 2000;
  const TICKET_CLOSED = ["resolved", "closed"];
  const COMPLAINT_OPEN = ["open", "reopened"];
  // A text or e-mail's final results that leave the customer untold (handoff/outcome/notice.py).
  const UNDELIVERED = ["failed", "not_configured", "gave_up"];
  const COMPLAINTS_REFRESH_MS = 30000;

  // ---------------------------------------------------------------- state

  const state = {
    ui: "both",
    csrf: "",
    agent: null,
    mine: [],
    queue: [],
    fetchedAt: 0,
    currentId: null,
    detail: null,
    closed: null, // {status: "resolved" | "transferred" | "gone", target}
    detailSeq: 0,
    canned: null,
    ws: null,
    wsAttempts: 0,
    wantSocket: false,
    timers: {},
    view: "workspace",
    callbacks: [],
    // Tickets opened in this console, by conversation (the handoff context is a snapshot).
    openedTickets: {},
    // Contacts revealed (audited) in the open conversation: ticket number -> full value.
    revealed: {},
    missed: null, // the supervisor's missed offers: {count, missed_offers}
    reassigning: null, // the conversation in the supervisor's reassign dialog
    reassigningTitle: "",
    // The team by agent id ({display_name, role, languages, skills, enabled, online}): names.
    team: {},
    // Tickets resolved in this console: number -> status.
    ticketStatus: {},
    resolvingTicket: null,
    ticketBanner: null, // {kind: "opened" | "resolved", number, due_at, notified, notice}
    complaints: {queue: [], mine: [], team: []},
    complaintsAt: 0,
    complaintNumber: null,
    complaint: null, // the open complaint's detail
    complaintGone: false,
    complaintSeq: 0,
    // The open complaint's contact, revealed (audited): number -> full value.
    complaintRevealed: {},
    // The last resolve answer in this console, by complaint number: what the customer got.
    complaintOutcome: {},
  };

  // ---------------------------------------------------------------- helpers

  const $ = (id) => document.getElementById(id);

  function pair(key, table) {
    return (table || T)[key] || null;
  }

  /** A text as a plain string in the chosen interface language(s). */
  function tx(key, table) {
    const p = pair(key, table);
    if (!p) return key;
    if (state.ui === "zh") return p[0];
    if (state.ui === "en") return p[1];
    return p[0] === p[1] ? p[0] : p[0] + " " + p[1];
  }

  /** A text as nodes: Chinese, then English in a quieter span. */
  function bi(key, table) {
    const p = pair(key, table);
    const span = document.createElement("span");
    span.className = "bi";
    if (!p) {
      span.textContent = key;
      return span;
    }
    if (state.ui !== "both" || p[0] === p[1]) {
      span.textContent = state.ui === "en" ? p[1] : p[0];
      return span;
    }
    const zh = document.createElement("span");
    zh.className = "bi-zh";
    zh.lang = "zh-CN";
    zh.textContent = p[0];
    const en = document.createElement("span");
    en.className = "bi-en";
    en.lang = "en";
    en.textContent = p[1];
    span.append(zh, " ", en);
    return span;
  }

  /** Build an element: el("span", {className: "x", testid: "y"}, child, "text"). */
  function el(tag, props, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(props || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === "className") node.className = value;
      else if (name === "text") node.textContent = String(value);
      else if (name === "testid") node.setAttribute("data-testid", value);
      else if (name === "dataset") Object.assign(node.dataset, value);
      else if (name === "hidden") node.hidden = Boolean(value);
      else node.setAttribute(name, value === true ? "" : String(value));
    }
    for (const child of children) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  function fmtDuration(seconds) {
    const s = Math.max(0, Math.round(Number(seconds) || 0));
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    const r = s % 60;
    if (h > 0) return h + ":" + String(m).padStart(2, "0") + ":" + String(r).padStart(2, "0");
    return m + ":" + String(r).padStart(2, "0");
  }

  // Every time is shown in the bank's zone, whatever the agent's computer says: the times the
  // customer is told (due dates, callbacks) are Beijing time.
  const BANK_ZONE = "Asia/Shanghai";

  function zoneDate(d) {
    return d.toLocaleDateString("zh-CN", {timeZone: BANK_ZONE});
  }

  function zoneClock(d) {
    return d.toLocaleTimeString("zh-CN", {hour12: false, timeZone: BANK_ZONE});
  }

  function fmtTime(timestamp) {
    const t = Number(timestamp);
    if (!t) return "";
    const d = new Date(t * 1000);
    const same = zoneDate(d) === zoneDate(new Date());
    return same ? zoneClock(d) : zoneDate(d) + " " + zoneClock(d);
  }

  function maskValue(key, value) {
    const text = String(value);
    if (text.includes("*")) return text; // masked already
    if (/phone|mobile|tel/i.test(key)) return text.length > 4 ? "*".repeat(Math.min(7, text.length - 4)) + text.slice(-4) : text;
    if (/email/i.test(key)) {
      const at = text.indexOf("@");
      return at > 1 ? text[0] + "***" + text.slice(at) : "***";
    }
    if (/address/i.test(key)) return text.length > 6 ? text.slice(0, 6) + "…" : text;
    if (/id_number|card|account/i.test(key)) return text.length > 4 ? "****" + text.slice(-4) : text;
    return text;
  }

  function channelBadge(channel) {
    const code = channel || "unknown";
    const known = CHANNELS[code];
    const label = known ? tx(code, CHANNELS) : code;
    return el("span", {className: "badge badge-channel", testid: "channel-badge",
      "data-channel": code, title: code}, label);
  }

  function channelText(channel) {
    const code = channel || "unknown";
    return CHANNELS[code] ? tx(code, CHANNELS) : code;
  }

  /** The verified customer's name; else "unverified customer" with the mark that tells two
   * of them apart ("#4F2A", from the handoff: stable, and nothing personal). */
  function customerName(item) {
    if (item.customer_name) return String(item.customer_name);
    const unverified = tx("customer.unverified");
    return item.customer_mark ? unverified + " #" + String(item.customer_mark) : unverified;
  }

  /** Whom a conversation is with, instead of its id: customerName and their masked phone
   * when the service knows it. */
  function customerLabel(item) {
    const name = customerName(item);
    return item.customer_phone ? name + " · " + String(item.customer_phone) : name;
  }

  /** A conversation as text (links, dialogs, notices): channel · customer · phone; its id
   * when this console knows nothing more of it. */
  function conversationTitle(item) {
    if (!item || !("customer_verified" in item)) return item ? String(item.conversation_id) : "";
    return channelText(item.channel) + " · " + customerLabel(item);
  }

  /** What this console's lists (the agent's own, the queues they serve) say of a conversation. */
  function knownConversation(id) {
    const lists = [state.mine, state.queue, state.detail ? [state.detail] : []];
    for (const list of lists) {
      const found = (list || []).find((item) => item.conversation_id === id);
      if (found) return found;
    }
    return {conversation_id: id};
  }

  /** An agent as colleagues know them: the name, the id beside it as secondary text. */
  function agentText(agentId) {
    const id = String(agentId || "");
    const member = state.team[id];
    const name = member && member.display_name ? String(member.display_name) : "";
    return name && name !== id ? name + " (" + id + ")" : id;
  }

  /** What was typed in an agent field: an id, or a colleague's name (read as their id). */
  function agentIdOf(typed) {
    const text = String(typed || "").trim();
    if (!text || state.team[text]) return text;
    const named = Object.values(state.team).filter((m) => m.enabled && m.display_name === text);
    return named.length === 1 ? named[0].agent_id : text;
  }

  function agentName(agentId) {
    const member = state.team[String(agentId || "")];
    return member && member.display_name ? String(member.display_name) : String(agentId || "");
  }

  function pill(kind, code, key, table) {
    return el("span", {className: "pill pill-" + kind + " pill-" + kind + "-" + code,
      ["data-" + kind]: code}, tx(key, table));
  }

  function priorityPill(priority) {
    const code = priority || "normal";
    const node = pill("priority", code, "priority." + code);
    node.setAttribute("data-testid", "priority");
    return node;
  }

  function statusPill(status) {
    const code = status || "queued";
    const node = pill("status", code, "status." + code);
    node.setAttribute("data-testid", "conversation-status");
    return node;
  }

  /** Offered without the skill the conversation needs (skill overflow): the agent may lack it. */
  function overflowBadge() {
    return el("span", {className: "pill pill-overflow", testid: "overflow-badge",
      title: tx("overflow.hint")}, tx("overflow.badge"));
  }

  function reasonText(reason) {
    if (!reason) return tx("context.none");
    return REASONS[reason] ? tx(reason, REASONS) : reason;
  }

  // ---------------------------------------------------------------- messages

  function describeError(error) {
    if (!error) return "";
    if (error.status === 0) return tx("error.network");
    const code = error.message;
    if (ERROR_CODES.has(code)) return tx("error." + code);
    for (const [pattern, key] of ERROR_PATTERNS) {
      const match = pattern.exec(code);
      if (match) return match[1] ? match[1] + (state.ui === "en" ? ": " : "：") + tx(key) : tx(key);
    }
    return tx("error.request") + code;
  }

  function showError(error, target) {
    const node = target || $("error-message");
    node.textContent = typeof error === "string" ? error : describeError(error);
    node.hidden = false;
    if (!target) {
      $("status-message").hidden = true;
      clearTimeout(state.timers.error);
      state.timers.error = setTimeout(() => { node.hidden = true; }, 12000);
    }
  }

  function clearError(target) {
    const node = target || $("error-message");
    node.hidden = true;
    node.textContent = "";
  }

  /** An agent's action begins: the flash line drops what the previous action said. */
  function clearFlash() {
    for (const id of ["status-message", "error-message"]) {
      $(id).hidden = true;
      $(id).textContent = "";
    }
    clearTimeout(state.timers.status);
    clearTimeout(state.timers.error);
  }

  /** The handler of an agent's action, started with the flash line cleared. */
  const action = (handler) => (event) => {
    clearFlash();
    return handler(event);
  };

  function showStatus(text) {
    const node = $("status-message");
    node.textContent = text;
    node.hidden = false;
    clearTimeout(state.timers.status);
    state.timers.status = setTimeout(() => { node.hidden = true; }, 5000);
  }

  // ---------------------------------------------------------------- API

  class ApiError extends Error {
    constructor(status, message) {
      super(message);
      this.status = status;
    }
  }

  async function api(method, path, body) {
    const headers = {Accept: "application/json"};
    const init = {method, headers, credentials: "same-origin", cache: "no-store"};
    if (method !== "GET") {
      headers["X-CSRF-Token"] = state.csrf || "";
      headers["Content-Type"] = "application/json";
      init.body = JSON.stringify(body === undefined ? {} : body);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (_) {
      throw new ApiError(0, "network");
    }
    let data = null;
    try {
      data = await response.json();
    } catch (_) {
      data = null;
    }
    if (!response.ok) {
      // Routing refusals carry a stable `code` (translated below); other errors a sentence.
      const reason = data && typeof data.code === "string" ? data.code
        : data && typeof data.error === "string" ? data.error : "HTTP " + response.status;
      if (response.status === 401 && path !== "/api/v1/agent/login" && state.agent) {
        signedOut("login.expired");
      }
      throw new ApiError(response.status, reason);
    }
    return data;
  }

  const conversationPath = (id) => "/api/v1/agent/conversations/" + encodeURIComponent(id);

  // ---------------------------------------------------------------- interface language

  function applyUiLanguage() {
    document.documentElement.lang = state.ui === "en" ? "en" : "zh-CN";
    for (const node of document.querySelectorAll("[data-i18n]")) {
      const key = node.getAttribute("data-i18n");
      if (node.tagName === "OPTION") node.textContent = tx(key);
      else node.replaceChildren(bi(key));
    }
    $("reply-input").placeholder = tx("reply.placeholder");
    $("ticket-outcome").placeholder = tx("ticket.outcome_placeholder");
    setLive($("live-indicator").dataset.state || "connecting");
    renderLists();
    renderCallbacks();
    renderTicketBanner();
    renderDetail();
    renderComplaintLists();
    renderComplaint();
    renderCanned();
    if (state.overview) renderOverview(state.overview);
    if (state.missed) renderMissed(state.missed);
  }

  // ---------------------------------------------------------------- sign-in

  async function boot() {
    const saved = safeStorage("get", "kefu.ui");
    if (saved && ["both", "zh", "en"].includes(saved)) state.ui = saved;
    $("ui-language").value = state.ui;
    applyUiLanguage();
    bindEvents();
    try {
      const me = await api("GET", "/api/v1/agent/me");
      enterConsole(me.agent, me.csrf_token, me.presence);
    } catch (_) {
      showLogin();
    }
  }

  function safeStorage(op, key, value) {
    try {
      if (op === "get") return window.localStorage.getItem(key);
      window.localStorage.setItem(key, value);
    } catch (_) {
      return null;
    }
    return null;
  }

  function showLogin(messageKey) {
    $("console-view").hidden = true;
    $("session-tools").hidden = true;
    $("login-view").hidden = false;
    $("login-password").value = "";
    if (messageKey) showStatus(tx(messageKey));
    $("login-agent-id").focus();
  }

  async function submitLogin(event) {
    event.preventDefault();
    const errorNode = $("login-error");
    clearError(errorNode);
    const agentId = $("login-agent-id").value.trim();
    const password = $("login-password").value;
    if (!agentId || !password) {
      showError(tx("login.required"), errorNode);
      return;
    }
    const button = $("login-submit");
    button.disabled = true;
    try {
      const answer = await api("POST", "/api/v1/agent/login", {agent_id: agentId, password});
      $("login-password").value = "";
      enterConsole(answer.agent, answer.csrf_token, "online");
    } catch (error) {
      showError(error, errorNode);
      $("login-password").focus();
    } finally {
      button.disabled = false;
    }
  }

  function enterConsole(agent, csrf, presence) {
    state.agent = agent;
    state.csrf = csrf;
    $("login-view").hidden = true;
    $("console-view").hidden = false;
    $("session-tools").hidden = false;
    $("agent-name").textContent = agent.display_name + " · " + agent.agent_id;
    $("agent-name").title = (agent.languages || []).join("/") + " · " + (agent.skills || []).join(", ");
    $("presence-select").value = presence || "online";
    $("presence-select").dataset.current = presence || "online";
    const supervisor = agent.role === "supervisor";
    $("tab-supervisor").hidden = !supervisor;
    $("tab-complaints").hidden = !onComplaintsTeam();
    showView("workspace");
    clearDetail();
    clearComplaint();
    loadCanned();
    loadTeam();
    refreshLists();
    refreshCallbacks();
    clearInterval(state.timers.callbacks);
    state.timers.callbacks = setInterval(refreshCallbacks, CALLBACK_REFRESH_MS);
    // Complaints the bot files raise no live event: the lists are read again now and then.
    refreshComplaints();
    clearInterval(state.timers.complaints);
    if (onComplaintsTeam()) state.timers.complaints = setInterval(refreshComplaints, COMPLAINTS_REFRESH_MS);
    state.wantSocket = true;
    connectLive();
    clearInterval(state.timers.tick);
    state.timers.tick = setInterval(tickWaits, 1000);
    clearInterval(state.timers.poll);
    state.timers.poll = setInterval(() => {
      // Live events drive the lists; this is the safety net (and all there is while offline).
      const live = state.ws && state.ws.readyState === WebSocket.OPEN;
      if (!live || Date.now() - state.fetchedAt > 4 * FALLBACK_POLL_MS) refreshLists();
    }, FALLBACK_POLL_MS);
    clearInterval(state.timers.supervisor);
    if (supervisor) {
      state.timers.supervisor = setInterval(() => {
        // Missed offers come with their live event (and on reconnecting), not on this timer.
        if (state.view === "supervisor") refreshOverview();
      }, SUPERVISOR_REFRESH_MS);
    }
  }

  function signedOut(messageKey) {
    state.wantSocket = false;
    if (state.ws) {
      try { state.ws.close(1000); } catch (_) { /* closing anyway */ }
    }
    state.ws = null;
    for (const name of ["tick", "poll", "supervisor", "reconnect", "ping", "live", "overview",
      "callbacks", "callbacksLive", "missed", "complaints", "complaintsLive"]) {
      clearInterval(state.timers[name]);
      clearTimeout(state.timers[name]);
    }
    state.agent = null;
    state.csrf = "";
    state.mine = [];
    state.queue = [];
    state.overview = null;
    state.callbacks = [];
    state.openedTickets = {};
    state.missed = null;
    state.ticketStatus = {};
    state.ticketBanner = null;
    state.complaints = {queue: [], mine: [], team: []};
    state.complaintOutcome = {};
    clearDetail();
    clearComplaint();
    renderComplaintLists();
    renderLists();
    renderCallbacks();
    renderTicketBanner();
    closeDialogs();
    showLogin(messageKey);
  }

  async function logout() {
    try {
      await api("POST", "/api/v1/agent/logout", {});
    } catch (error) {
      if (error.status !== 401) {
        showError(error);
        return;
      }
    }
    signedOut("login.signed_out");
  }

  // ---------------------------------------------------------------- presence

  async function changePresence() {
    const select = $("presence-select");
    const presence = select.value;
    const previous = select.dataset.current || "online";
    if (presence === "offline" && state.mine.length > 0 && !window.confirm(tx("presence.confirm_offline"))) {
      select.value = previous;
      return;
    }
    select.disabled = true;
    try {
      const answer = await api("POST", "/api/v1/agent/presence", {presence});
      select.dataset.current = answer.presence;
      const requeued = (answer.requeued || []).length;
      showStatus(tx("presence.done") + (requeued ? " · " + requeued + " " + tx("presence.requeued") : ""));
      refreshLists();
    } catch (error) {
      select.value = previous;
      showError(error);
    } finally {
      select.disabled = false;
    }
  }

  // ---------------------------------------------------------------- the team

  /** Colleagues' names (and who is online, for transfers); whatever names agents is redrawn. */
  async function loadTeam() {
    try {
      const answer = await api("GET", "/api/v1/agent/team");
      if (!state.agent) return;
      state.team = {};
      for (const member of (answer && answer.agents) || []) state.team[member.agent_id] = member;
    } catch (error) {
      if (error.status !== 401) showError(error);
      return;
    }
    renderDetail();
    if (state.complaintNumber) renderComplaint();
    if (state.overview) renderOverview(state.overview);
  }

  /** The choices of an agent-id field: enabled colleagues who `fit`, by name, the id as value. */
  function agentChoices(listId, fit) {
    const members = Object.values(state.team)
      .filter((m) => m.enabled && fit(m));
    $(listId).replaceChildren(...members.map((m) => el("option", {value: m.agent_id,
      label: m.display_name + (m.online ? " · " + tx("presence.online") : "")})));
  }

  // ---------------------------------------------------------------- lists

  async function refreshLists() {
    if (!state.agent) return;
    try {
      const lists = await api("GET", "/api/v1/agent/conversations");
      state.mine = lists.mine || [];
      state.queue = lists.queue || [];
      state.fetchedAt = Date.now();
      renderLists();
    } catch (error) {
      if (error.status !== 401) showError(error);
    }
  }

  function renderLists() {
    renderList($("my-list"), $("mine-empty"), $("mine-count"), state.mine, "mine");
    renderList($("queue-list"), $("queue-empty"), $("queue-count"), state.queue, "queue");
  }

  function renderList(list, empty, count, items, kind) {
    list.replaceChildren(...items.map((item) => conversationItem(item, kind)));
    empty.hidden = items.length > 0;
    count.textContent = String(items.length);
  }

  function conversationItem(item, kind) {
    const id = item.conversation_id;
    const selected = id === state.currentId;
    // The mark keeps its room when a narrow list cuts the bilingual label short.
    const name = item.customer_name || !item.customer_mark ? [customerName(item)]
      : [el("span", {className: "name-text"}, tx("customer.unverified")), " ",
         el("span", {className: "customer-mark", testid: "customer-mark"}, "#" + String(item.customer_mark))];
    const title = el("span", {className: "item-title", title: customerLabel(item)},
      el("span", {testid: "conversation-name", "data-verified": String(Boolean(item.customer_verified))},
        ...name),
      item.customer_phone ? el("span", {className: "item-phone", testid: "conversation-phone"},
        String(item.customer_phone)) : null);
    const top = el("span", {className: "item-row"}, channelBadge(item.channel), title,
      priorityPill(item.priority), item.overflowed ? overflowBadge() : null);
    // The open conversation is being read: its new messages show in the transcript instead.
    if (kind === "mine" && item.unread > 0 && !(selected && state.detail)) {
      top.append(el("span", {className: "unread", testid: "unread-count",
        "aria-label": item.unread + " " + tx("list.unread")}, String(item.unread)));
    }
    const meta = el("span", {className: "item-row item-meta"});
    if (kind === "mine") meta.append(statusPill(item.status));
    else meta.append(el("span", {className: "position", title: tx("list.position")}, "#" + item.queue_position));
    meta.append(el("span", {className: "reason"}, reasonText(item.reason)));
    const details = el("span", {className: "item-row item-meta"},
      el("span", {className: "lang"}, tx("lang." + item.language)));
    if (kind === "queue" || item.status === "assigned") {
      details.append(el("span", {className: "wait js-wait", title: tx("list.waited"),
        "data-base": item.waited_seconds || 0, "data-fetched": state.fetchedAt},
      tx("list.wait") + " " + fmtDuration(item.waited_seconds)));
    }
    if (item.segment) details.append(el("span", {className: "segment"}, tx("segment." + item.segment)));
    const button = el("button", {
      type: "button", className: "conv-item" + (selected ? " is-selected" : ""),
      testid: "conversation-item", "data-conversation-id": id, "data-status": item.status,
      "data-kind": kind, "aria-current": selected ? "true" : null,
      // The id stays at hand for support, out of the way.
      title: tx("conversation.id") + " " + id,
    }, top, meta, details);
    if (item.summary) button.append(el("span", {className: "item-summary"}, item.summary));
    button.addEventListener("click", () => openConversation(id));
    return el("li", {}, button);
  }

  function tickWaits() {
    const now = Date.now();
    for (const node of document.querySelectorAll(".js-wait")) {
      const base = Number(node.getAttribute("data-base")) || 0;
      const fetched = Number(node.getAttribute("data-fetched")) || now;
      node.textContent = tx("list.wait") + " " + fmtDuration(base + (now - fetched) / 1000);
    }
  }

  // ---------------------------------------------------------------- one conversation

  function clearDetail() {
    state.currentId = null;
    state.detail = null;
    state.closed = null;
    state.revealed = {};
    state.detailSeq += 1;
    renderDetail();
  }

  async function openConversation(id) {
    if (id !== state.currentId) {
      state.currentId = id;
      state.detail = null;
      state.closed = null;
      state.revealed = {};
      $("reply-input").value = "";
      updateReplyCount();
      renderDetail();
    }
    await loadDetail(true);
    // Reading a conversation of one's own clears its unread count on the server.
    for (const item of state.mine) if (item.conversation_id === id) item.unread = 0;
    renderLists();
    $("conversation-title").focus();
    refreshLists();
  }

  async function loadDetail(explicit) {
    const id = state.currentId;
    if (!id) return;
    const seq = ++state.detailSeq;
    try {
      const detail = await api("GET", conversationPath(id));
      if (seq !== state.detailSeq || id !== state.currentId) return;
      const first = !state.detail;
      state.detail = detail;
      if (detail.status === "resolved") state.closed = {status: "resolved"};
      if (first) {
        $("canned-language").value = detail.language === "en" ? "en" : "zh";
        renderCanned();
      }
      renderDetail();
    } catch (error) {
      if (seq !== state.detailSeq || id !== state.currentId) return;
      if (error.status === 404) {
        if (!state.closed) state.closed = {status: "gone"};
        renderDetail();
        if (explicit && !state.detail) showError(error);
      } else if (error.status !== 401) {
        showError(error);
      }
    }
  }

  function isMine(detail) {
    return detail && state.agent && detail.agent_id === state.agent.agent_id;
  }

  function renderDetail() {
    const view = $("conversation-view");
    const body = $("conversation-body");
    const placeholder = $("conversation-placeholder");
    const context = $("context-panel");
    const detail = state.detail;
    if (!state.currentId || (!detail && !state.closed)) {
      body.hidden = true;
      placeholder.hidden = false;
      context.hidden = true;
      view.dataset.status = "";
      view.removeAttribute("data-conversation-id");
      return;
    }
    placeholder.hidden = true;
    body.hidden = false;
    context.hidden = !detail;
    const closed = state.closed;
    const status = closed ? closed.status : detail.status;
    view.dataset.status = status;
    view.setAttribute("data-conversation-id", state.currentId);

    $("conversation-title").textContent = detail ? customerLabel(detail) : state.currentId;
    const meta = $("conversation-meta");
    meta.replaceChildren();
    meta.append(statusPill(status));
    if (detail) {
      meta.append(priorityPill(detail.priority),
        el("span", {className: "tag"}, tx("lang." + detail.language)),
        channelBadge(detail.channel),
        el("span", {className: "tag"}, tx("skill." + detail.skill)));
      if (detail.segment) meta.append(el("span", {className: "tag"}, tx("segment." + detail.segment)));
      if (detail.overflowed) meta.append(overflowBadge());
    }
    if (detail) {
      meta.append(el("span", {className: "tag tag-id", testid: "conversation-id",
        title: tx("conversation.id")}, state.currentId));
    }

    const mine = isMine(detail);
    const open = !closed && detail && ["queued", "assigned", "active"].includes(detail.status);
    const canAccept = open && (detail.status === "queued" || (detail.status === "assigned" && mine));
    const canAct = open && mine && ["assigned", "active"].includes(detail.status);
    const canReply = open && mine && detail.status === "active";
    $("accept-button").hidden = !canAccept;
    $("ticket-button").hidden = !canReply;
    $("transfer-button").hidden = !canAct;
    $("resolve-button").hidden = !canAct;
    for (const id of ["reply-input", "canned-select", "canned-language", "send-button"]) {
      $(id).disabled = !canReply;
    }
    $("reply-form").hidden = Boolean(closed);

    const banner = $("conversation-banner");
    banner.dataset.kind = closed ? closed.status : "";
    if (closed && closed.status === "resolved") {
      banner.replaceChildren(bi("conversation.resolved"));
    } else if (closed && closed.status === "reassigned") {
      banner.replaceChildren(bi("conversation.reassigned"));
    } else if (closed && closed.status === "transferred") {
      banner.replaceChildren(bi("conversation.transferred"), " ", closed.target || "");
    } else if (closed) {
      banner.replaceChildren(bi("conversation.gone"));
    } else if (open && !mine && detail.status !== "queued") {
      banner.replaceChildren(bi("conversation.readonly"), " ", el("span", {testid: "conversation-holder",
        "data-agent-id": detail.agent_id || ""}, tx("conversation.holder") + " " + agentText(detail.agent_id)));
    } else if (open && mine && detail.status === "assigned") {
      banner.replaceChildren(bi("conversation.accept_first"));
    } else {
      banner.replaceChildren();
    }
    banner.hidden = banner.childNodes.length === 0;

    if (detail) {
      renderTranscript(detail);
      renderContext(detail);
    }
  }

  function renderTranscript(detail) {
    const list = $("transcript");
    const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    const nodes = [];
    for (const line of detail.transcript || []) nodes.push(transcriptLine(line, detail, "bot-phase"));
    nodes.push(el("li", {className: "divider", role: "separator", testid: "handoff-divider"},
      bi("conversation.handed_over")));
    for (const message of detail.messages || []) nodes.push(transcriptLine(message, detail, "live"));
    markChosen(nodes);
    list.replaceChildren(...nodes);
    if (atBottom || list.dataset.conversation !== detail.conversation_id) {
      list.scrollTop = list.scrollHeight;
    }
    list.dataset.conversation = detail.conversation_id;
  }

  /** A click marks the button it was among the bot's latest choices before it. */
  function markChosen(nodes) {
    nodes.forEach((node, index) => {
      if (node.dataset.clicked !== "true") return;
      const said = node.querySelector(".line-text").textContent;
      for (let back = index - 1; back >= 0; back -= 1) {
        if (nodes[back].dataset.role === "customer") return;
        const chosen = [...nodes[back].querySelectorAll(".line-choice")].find((c) => c.textContent === said);
        if (chosen) {
          chosen.classList.add("line-choice-chosen");
          chosen.dataset.chosen = "true";
          return;
        }
      }
    });
  }

  function transcriptLine(line, detail, phase) {
    const role = ["customer", "bot", "agent", "system"].includes(line.role) ? line.role : "bot";
    const who = el("span", {className: "who"}, tx("role." + role));
    if (role === "agent" && (line.agent_name || line.agent_id)) {
      who.append(" · " + (line.agent_name || line.agent_id));
    }
    const head = el("div", {className: "line-head"}, who, channelBadge(line.channel || detail.channel),
      el("time", {className: "when"}, fmtTime(line.timestamp)));
    const item = el("li", {className: "line line-" + role, testid: "transcript-line",
      "data-role": role, "data-phase": phase, "data-clicked": line.clicked ? "true" : null}, head,
    el("p", {className: "line-text", testid: "line-text"}, line.text || ""));
    // What the customer could click (as they saw it), and which of their lines were clicks.
    if (role === "bot" && Array.isArray(line.choices) && line.choices.length) {
      item.append(el("ul", {className: "line-choices", testid: "line-choices",
        "aria-label": tx("line.choices")},
      ...line.choices.map((title) => el("li", {className: "line-choice", testid: "line-choice"}, String(title)))));
    }
    if (role === "customer" && line.clicked) {
      head.insertBefore(el("span", {className: "tag tag-clicked", testid: "line-clicked"},
        tx("line.clicked")), head.lastChild);
    }
    if (role === "customer" && (line.intent || line.emotion)) {
      const foot = el("div", {className: "line-foot"});
      if (line.intent) foot.append(el("span", {className: "tag tag-intent"}, line.intent));
      if (line.emotion && line.emotion.name) foot.append(emotionChip(line.emotion, "span"));
      item.append(foot);
    }
    return item;
  }

  function emotionChip(emotion, tag) {
    const name = String(emotion.name || "neutral");
    const confidence = Number(emotion.confidence);
    const label = EMOTIONS[name] ? tx(name, EMOTIONS) : name;
    const chip = el(tag, {className: "chip emotion emotion-" + name, testid: "emotion-chip",
      "data-emotion": name}, label);
    if (!Number.isNaN(confidence)) chip.append(el("span", {className: "confidence"}, confidence.toFixed(2)));
    if (emotion.timestamp) chip.title = fmtTime(emotion.timestamp);
    return chip;
  }

  function renderContext(detail) {
    const context = detail.context || {};
    $("context-reason").textContent = reasonText(context.reason || detail.reason);
    $("context-summary").textContent = context.summary || detail.summary || tx("context.none");
    const intents = $("context-intents");
    intents.replaceChildren(...(context.intents || []).map((name) => el("span", {className: "tag tag-intent"}, name)));
    if (!intents.childNodes.length) intents.textContent = tx("context.none");

    const trajectory = context.emotion_trajectory || detail.emotion_trajectory || [];
    const chips = $("emotion-trajectory");
    chips.replaceChildren(...trajectory.map((point) => emotionChip(point, "li")));
    if (!trajectory.length) chips.append(el("li", {className: "muted"}, tx("context.none")));

    const profile = $("customer-profile");
    profile.replaceChildren();
    const customer = context.customer;
    if (customer && typeof customer === "object") {
      const known = ["display_name", "customer_number", "segment", "relationship_manager",
        "relationship_manager_agent_id", "phone", "email", "address", "preferred_language",
        "contact_preference"];
      const keys = known.filter((k) => k in customer).concat(
        Object.keys(customer).filter((k) => !known.includes(k) && k !== "id"));
      for (const key of keys) {
        const value = customer[key];
        if (value === null || value === undefined || value === "" || typeof value === "object") continue;
        let shown = maskValue(key, value);
        if (key === "segment" && T["segment." + value]) shown = tx("segment." + value);
        if (key === "preferred_language" && T["lang." + value]) shown = tx("lang." + value);
        if (key === "contact_preference" && T["contact." + value]) shown = tx("contact." + value);
        profile.append(el("dt", {}, T["customer." + key] ? bi("customer." + key) : key),
          el("dd", {testid: "customer-" + key}, shown));
      }
    }
    if (!profile.childNodes.length) profile.append(el("dd", {className: "muted"}, tx("context.no_customer")));

    const tickets = $("open-tickets");
    tickets.replaceChildren();
    const listed = Array.isArray(context.open_tickets) ? context.open_tickets.slice() : [];
    const seen = new Set(listed.map(ticketNumber).filter(Boolean));
    for (const opened of state.openedTickets[detail.conversation_id] || []) {
      if (!seen.has(opened.number)) listed.push(opened);
    }
    for (const ticket of listed) tickets.append(ticketItem(ticket));
    if (!tickets.childNodes.length) tickets.append(el("li", {className: "muted"}, tx("context.no_tickets")));
  }

  function ticketNumber(ticket) {
    if (ticket === null || typeof ticket !== "object") return "";
    return String(ticket.number || ticket.ticket_number || ticket.id || "");
  }

  /** A ticket's status as this console knows it (resolved here, or as the service said). */
  function ticketStatusOf(number, status) {
    return state.ticketStatus[number] || status || "";
  }

  function ticketStatusPill(status) {
    const code = String(status);
    return el("span", {className: "pill pill-ticket pill-ticket-" + code, testid: "ticket-status",
      "data-ticket-status": code}, T["ticket_status." + code] ? tx("ticket_status." + code) : code);
  }

  function categoryText(category) {
    return T["category." + category] ? tx("category." + category) : String(category);
  }

  /** An ISO 8601 time as local date and time (the value itself if it is not one). */
  function fmtDue(iso) {
    const d = new Date(iso);
    if (!iso || Number.isNaN(d.getTime())) return String(iso || "");
    return d.toLocaleString("zh-CN", {hour12: false, year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit", timeZone: BANK_ZONE});
  }

  function ticketResolveButton(number, testid) {
    const button = el("button", {type: "button", className: "btn btn-small", testid,
      "data-ticket-number": number}, bi("action.ticket_resolve"));
    button.addEventListener("click", () => openTicketResolve(number));
    return button;
  }

  function ticketItem(ticket) {
    if (ticket === null || typeof ticket !== "object") return el("li", {testid: "ticket"}, String(ticket));
    const number = ticketNumber(ticket);
    const status = ticketStatusOf(number, ticket.status);
    const top = el("div", {className: "ticket-row"}, el("strong", {className: "ticket-number"}, number));
    if (status) top.append(ticketStatusPill(status));
    const item = el("li", {className: "ticket", testid: "ticket", "data-ticket-number": number,
      "data-ticket-status": status}, top);
    const parts = [];
    if (ticket.category) parts.push(categoryText(ticket.category));
    for (const key of ["kind", "summary"]) {
      if (ticket[key] !== undefined && ticket[key] !== null && ticket[key] !== "") parts.push(String(ticket[key]));
    }
    const due = ticket.due_at || ticket.sla_due_at;
    if (due) parts.push(tx("ticket.due") + " " + fmtDue(due));
    if (parts.length) item.append(el("span", {className: "muted small"}, parts.join(" · ")));
    if (number && ticket.contact_preference) item.append(contactRow(number, ticket));
    if (number && !TICKET_CLOSED.includes(status)) {
      item.append(el("div", {className: "ticket-actions"}, ticketResolveButton(number, "ticket-resolve")));
    }
    return item;
  }

  /** Only the conversation's agent and supervisors may see a contact in full (the service checks). */
  function mayReveal() {
    return Boolean(state.detail && state.agent
      && (isMine(state.detail) || state.agent.role === "supervisor"));
  }

  /** How the customer asked to be told the outcome, and where: masked until revealed. */
  function contactRow(number, ticket) {
    const preference = String(ticket.contact_preference);
    const row = el("div", {className: "ticket-contact small", testid: "ticket-contact",
      "data-contact-preference": preference},
    el("span", {className: "muted"}, tx("contact.label") + (state.ui === "en" ? ": " : "：")),
    el("span", {testid: "ticket-contact-preference"},
      T["contact." + preference] ? tx("contact." + preference) : preference));
    if (!ticket.contact) return row;
    const full = state.revealed[number];
    row.append(" · ", el("span", {className: "ticket-contact-value", testid: "ticket-contact-value",
      "data-revealed": String(Boolean(full))}, full || String(ticket.contact)));
    if (!full && mayReveal()) {
      const button = el("button", {type: "button", className: "link-button", testid: "ticket-contact-reveal",
        title: tx("contact.reveal_hint")}, bi("contact.reveal"));
      button.addEventListener("click", () => revealContact(number, button));
      row.append(" ", button);
    }
    return row;
  }

  async function revealContact(number, button) {
    const id = state.currentId;
    button.disabled = true;
    try {
      const answer = await api("POST", conversationPath(id) + "/tickets/" + encodeURIComponent(number) + "/contact", {});
      if (id !== state.currentId) return;
      state.revealed[number] = String(answer.contact);
      renderDetail();
    } catch (error) {
      button.disabled = false;
      showError(error);
    }
  }

  // ---------------------------------------------------------------- callbacks

  async function refreshCallbacks() {
    if (!state.agent) return;
    try {
      const answer = await api("GET", "/api/v1/agent/callbacks");
      if (!state.agent) return;
      state.callbacks = Array.isArray(answer && answer.callbacks) ? answer.callbacks : [];
      renderCallbacks();
    } catch (error) {
      if (error.status !== 401) showError(error);
    }
  }

  function dueTime(callback) {
    const t = new Date(callback.due_at).getTime();
    return Number.isNaN(t) ? Infinity : t;
  }

  function renderCallbacks() {
    // Soonest due first (the service sorts them so too).
    const callbacks = state.callbacks
      .filter((callback) => callback && typeof callback === "object"
        && !TICKET_CLOSED.includes(state.ticketStatus[callback.number]))
      .sort((a, b) => dueTime(a) - dueTime(b));
    $("callback-list").replaceChildren(...callbacks.map(callbackItem));
    $("callbacks-empty").hidden = callbacks.length > 0;
    $("callbacks-count").textContent = String(callbacks.length);
  }

  function callbackItem(callback) {
    const number = String(callback.number || "");
    const overdue = Boolean(callback.overdue);
    const top = el("div", {className: "item-row"},
      el("strong", {className: "item-title ticket-number"}, number), priorityPill(callback.priority));
    if (overdue) {
      top.append(el("span", {className: "pill pill-overdue", testid: "callback-overdue"}, tx("callbacks.overdue")));
    }
    const details = el("div", {className: "item-row item-meta"},
      el("span", {className: "lang"}, T["lang." + callback.language] ? tx("lang." + callback.language)
        : String(callback.language || "")),
      channelBadge(callback.channel));
    if (callback.conversation_id) {
      details.append(el("span", {className: "tag tag-id", title: tx("conversation.id")}, String(callback.conversation_id)));
    }
    const due = el("div", {className: "item-row item-meta callback-due"},
      el("time", {datetime: callback.due_at || null, testid: "callback-due"},
        tx("callbacks.due") + " " + fmtDue(callback.due_at)));
    const item = el("li", {className: "callback" + (overdue ? " is-overdue" : ""), testid: "callback-item",
      "data-ticket-number": number, "data-overdue": String(overdue)}, top, details);
    if (callback.summary) item.append(el("p", {className: "item-summary callback-summary"}, String(callback.summary)));
    item.append(el("div", {className: "callback-foot"}, due, ticketResolveButton(number, "callback-resolve")));
    return item;
  }

  // ---------------------------------------------------------------- tickets: open, resolve

  function renderTicketBanner() {
    const banner = $("ticket-banner");
    const shown = state.ticketBanner;
    if (!shown) {
      banner.hidden = true;
      banner.dataset.kind = "";
      banner.removeAttribute("data-ticket-number");
      banner.removeAttribute("data-customer-notified");
      $("ticket-banner-text").replaceChildren();
      return;
    }
    banner.dataset.kind = shown.kind;
    banner.setAttribute("data-ticket-number", shown.number);
    const parts = [bi(shown.kind === "opened" ? "ticket.opened" : "ticket.resolved"), " · ",
      el("strong", {className: "ticket-number", testid: "ticket-banner-number"}, shown.number)];
    if (shown.kind === "opened") {
      banner.removeAttribute("data-customer-notified");
      parts.push(" · ", bi("ticket.due"), " ",
        el("time", {datetime: shown.due_at || null, testid: "ticket-banner-due"}, fmtDue(shown.due_at)));
    } else {
      banner.setAttribute("data-customer-notified", String(shown.notified));
      parts.push(" · ", el("span", {testid: "ticket-banner-notified"},
        bi(shown.notified ? "ticket.notified"
          : shown.withAgent ? "ticket.with_agent" : "ticket.not_notified")));
      // The text, e-mail or call the customer chose on the complaint form.
      if (shown.notice) parts.push(" · ", noticeLine(shown.notice, null));
    }
    $("ticket-banner-text").replaceChildren(...parts);
    banner.hidden = false;
  }

  function showTicketBanner(shown) {
    state.ticketBanner = shown;
    renderTicketBanner();
  }

  function updateTicketCount() {
    $("ticket-description-count").textContent = $("ticket-description").value.length + "/" + MAX_TICKET_TEXT;
  }

  function openTicket() {
    clearError($("ticket-error"));
    $("ticket-category").value = "";
    $("ticket-description").value = "";
    $("ticket-outcome").value = "";
    updateTicketCount();
    $("ticket-dialog").showModal();
    $("ticket-category").focus();
  }

  async function submitTicket(event) {
    event.preventDefault();
    const errorNode = $("ticket-error");
    clearError(errorNode);
    const id = state.currentId;
    const category = $("ticket-category").value;
    if (!category) {
      showError(tx("error.category"), errorNode);
      $("ticket-category").focus();
      return;
    }
    const description = $("ticket-description").value.trim();
    if (!description) {
      showError(tx("ticket.need_description"), errorNode);
      $("ticket-description").focus();
      return;
    }
    if (description.length > MAX_TICKET_TEXT) {
      showError(tx("ticket.too_long"), errorNode);
      $("ticket-description").focus();
      return;
    }
    const body = {category, description};
    const outcome = $("ticket-outcome").value.trim();
    if (outcome) body.desired_outcome = outcome;
    const button = $("ticket-confirm");
    button.disabled = true;
    try {
      const answer = await api("POST", conversationPath(id) + "/tickets", body);
      $("ticket-dialog").close();
      const opened = {number: answer.number, category: body.category, status: answer.status,
        due_at: answer.due_at};
      (state.openedTickets[id] = state.openedTickets[id] || []).push(opened);
      showTicketBanner({kind: "opened", number: answer.number, due_at: answer.due_at});
      renderDetail();
    } catch (error) {
      showError(error, errorNode);
    } finally {
      button.disabled = false;
    }
  }

  function openTicketResolve(number) {
    state.resolvingTicket = number;
    clearError($("ticket-resolve-error"));
    $("ticket-resolve-number").textContent = number;
    $("ticket-resolution").value = "";
    $("ticket-resolve-dialog").showModal();
    $("ticket-resolution").focus();
  }

  function markTicket(number, status) {
    state.ticketStatus[number] = status;
    renderCallbacks();
    if (state.detail) renderDetail();
  }

  async function submitTicketResolve(event) {
    event.preventDefault();
    const errorNode = $("ticket-resolve-error");
    clearError(errorNode);
    const number = state.resolvingTicket;
    if (!number) return;
    const resolution = $("ticket-resolution").value.trim();
    if (!resolution) {
      showError(tx("ticket_resolve.need_resolution"), errorNode);
      $("ticket-resolution").focus();
      return;
    }
    const button = $("ticket-resolve-confirm");
    button.disabled = true;
    try {
      const answer = await api("POST", "/api/v1/agent/tickets/" + encodeURIComponent(number) + "/resolve",
        {resolution});
      $("ticket-resolve-dialog").close();
      state.resolvingTicket = null;
      showTicketBanner({kind: "resolved", number: answer.number || number,
        notified: answer.customer_notified === true, withAgent: answer.with_an_agent === true,
        notice: answer.outcome_notice && typeof answer.outcome_notice === "object" ? answer.outcome_notice : null});
      markTicket(number, answer.status || "resolved");
      refreshCallbacks();
    } catch (error) {
      showError(error, errorNode);
      // Resolved meanwhile (by a colleague): show it so, and offer it no more.
      if (error.status === 409) markTicket(number, "resolved");
    } finally {
      button.disabled = false;
    }
  }

  // ---------------------------------------------------------------- actions

  async function accept() {
    const id = state.currentId;
    const button = $("accept-button");
    button.disabled = true;
    try {
      await api("POST", conversationPath(id) + "/accept", {});
      showStatus(tx("accept.done"));
      await loadDetail();
      refreshLists();
      $("reply-input").focus();
    } catch (error) {
      showError(error);
      loadDetail();
      refreshLists();
    } finally {
      button.disabled = false;
    }
  }

  async function sendReply(event) {
    if (event) event.preventDefault();
    const input = $("reply-input");
    const text = input.value.trim();
    if (!text) {
      showError(tx("reply.empty"));
      input.focus();
      return;
    }
    const button = $("send-button");
    button.disabled = true;
    try {
      await api("POST", conversationPath(state.currentId) + "/messages", {text});
      input.value = "";
      updateReplyCount();
      clearError();
      await loadDetail();
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = input.disabled;
      input.focus();
    }
  }

  function openTransfer() {
    clearError($("transfer-error"));
    $("transfer-agent-id").value = "";
    // Who is online changes: offered from what is known, then from a fresh read.
    transferChoices();
    loadTeam().then(transferChoices);
    syncTransferKind();
    $("transfer-dialog").showModal();
  }

  /** Online colleagues who speak the customer's language (the service checks the rest). */
  function transferChoices() {
    if (!state.agent) return;
    const language = state.detail ? state.detail.language : "";
    agentChoices("transfer-agents", (m) => m.online && m.agent_id !== state.agent.agent_id
      && (m.languages || []).includes(language));
  }

  function transferKind() {
    const checked = document.querySelector("input[name='transfer-kind']:checked");
    return checked ? checked.value : "agent";
  }

  function syncTransferKind() {
    const kind = transferKind();
    $("transfer-agent-field").hidden = kind !== "agent";
    $("transfer-skill-field").hidden = kind !== "skill";
  }

  async function submitTransfer(event) {
    event.preventDefault();
    const errorNode = $("transfer-error");
    clearError(errorNode);
    const kind = transferKind();
    const body = {};
    if (kind === "agent") {
      body.agent_id = agentIdOf($("transfer-agent-id").value);
      if (!body.agent_id) {
        showError(tx("transfer.need_agent"), errorNode);
        $("transfer-agent-id").focus();
        return;
      }
    } else {
      body.skill = $("transfer-skill").value;
    }
    const button = $("transfer-confirm");
    button.disabled = true;
    try {
      const answer = await api("POST", conversationPath(state.currentId) + "/transfer", body);
      $("transfer-dialog").close();
      const target = kind === "agent" ? agentText(body.agent_id) : tx("skill." + body.skill);
      state.closed = {status: "transferred", target};
      showStatus(tx(answer.outcome === "queued" ? "transfer.done_skill" : "transfer.done_agent") + " · " + target);
      renderDetail();
      refreshLists();
    } catch (error) {
      showError(error, errorNode);
    } finally {
      button.disabled = false;
    }
  }

  function openResolve() {
    clearError($("resolve-error"));
    $("resolve-note").value = "";
    $("resolve-dialog").showModal();
  }

  async function submitResolve(event) {
    event.preventDefault();
    const errorNode = $("resolve-error");
    clearError(errorNode);
    const note = $("resolve-note").value.trim();
    const button = $("resolve-confirm");
    button.disabled = true;
    try {
      await api("POST", conversationPath(state.currentId) + "/resolve", note ? {note} : {});
      $("resolve-dialog").close();
      state.closed = {status: "resolved"};
      showStatus(tx("resolve.done"));
      renderDetail();
      refreshLists();
    } catch (error) {
      showError(error, errorNode);
    } finally {
      button.disabled = false;
    }
  }

  function closeDialogs() {
    for (const id of ["transfer-dialog", "resolve-dialog", "ticket-dialog", "ticket-resolve-dialog", "reassign-dialog"]) {
      if ($(id).open) $(id).close();
    }
  }

  // ---------------------------------------------------------------- canned replies

  async function loadCanned() {
    if (state.canned) {
      renderCanned();
      return;
    }
    try {
      state.canned = await api("GET", "/api/v1/agent/canned-replies");
      renderCanned();
    } catch (error) {
      if (error.status !== 401) showError(error);
    }
  }

  function renderCanned() {
    const select = $("canned-select");
    const language = $("canned-language").value;
    const replies = (state.canned && state.canned[language]) || [];
    select.replaceChildren(el("option", {value: ""}, tx("canned.placeholder")),
      ...replies.map((text, index) => el("option", {value: String(index)}, text)));
  }

  function insertCanned() {
    const select = $("canned-select");
    const language = $("canned-language").value;
    const replies = (state.canned && state.canned[language]) || [];
    const text = replies[Number(select.value)];
    if (select.value === "" || text === undefined) return;
    const input = $("reply-input");
    input.value = input.value.trim() ? input.value.replace(/\s*$/, " ") + text : text;
    select.value = "";
    updateReplyCount();
    input.focus();
  }

  function updateReplyCount() {
    $("reply-count").textContent = $("reply-input").value.length + "/" + MAX_REPLY;
  }

  // ---------------------------------------------------------------- live updates

  function setLive(which) {
    const node = $("live-indicator");
    node.dataset.state = which;
    node.replaceChildren(el("span", {className: "dot", "aria-hidden": "true"}), bi("live." + which));
  }

  function connectLive() {
    if (!state.wantSocket) return;
    clearTimeout(state.timers.reconnect);
    const scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    let socket;
    try {
      socket = new WebSocket(scheme + window.location.host + "/api/v1/agent/live");
    } catch (_) {
      scheduleReconnect();
      return;
    }
    state.ws = socket;
    setLive(state.wsAttempts ? "reconnecting" : "connecting");
    socket.addEventListener("open", () => {
      if (socket !== state.ws) return;
      state.wsAttempts = 0;
      setLive("live");
      clearInterval(state.timers.ping);
      state.timers.ping = setInterval(() => {
        if (socket.readyState === WebSocket.OPEN) socket.send("ping");
      }, PING_MS);
      // Events may have been missed before the socket was (re)opened.
      refreshLists();
      if (state.currentId) loadDetail();
      if (state.view === "supervisor") refreshSupervisor();
      refreshComplaints();
      if (state.complaintNumber) loadComplaint();
    });
    socket.addEventListener("message", (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch (_) {
        return;
      }
      if (event && typeof event === "object") onLiveEvent(event);
    });
    socket.addEventListener("close", () => {
      if (socket !== state.ws) return;
      clearInterval(state.timers.ping);
      state.ws = null;
      if (state.wantSocket) scheduleReconnect();
    });
  }

  function scheduleReconnect() {
    if (!state.wantSocket) return;
    setLive("reconnecting");
    state.wsAttempts += 1;
    const delay = Math.min(30000, 1000 * 2 ** Math.min(state.wsAttempts - 1, 5)) * (0.75 + Math.random() / 2);
    clearTimeout(state.timers.reconnect);
    state.timers.reconnect = setTimeout(async () => {
      // A closed socket may mean an expired session: api() then shows the sign-in form.
      try {
        const me = await api("GET", "/api/v1/agent/me");
        // Away longer than the service's grace, the shift has ended: the menu must say so.
        if (me.presence === "offline" && $("presence-select").dataset.current !== "offline") {
          showPresence("offline");
          showStatus(tx("event.shift_ended"));
        }
      } catch (error) {
        if (error.status === 401) return;
      }
      connectLive();
    }, delay);
  }

  function debounce(name, fn, ms) {
    clearTimeout(state.timers[name]);
    state.timers[name] = setTimeout(fn, ms || 120);
  }

  function onLiveEvent(event) {
    if (!state.agent || event.type === "pong") return;
    const me = state.agent.agent_id;
    if (event.conversation_id && event.conversation_id === state.currentId) state.pendingDetail = true;
    debounce("live", async () => {
      if (state.pendingDetail) {
        // The detail first: reading it clears the open conversation's unread count.
        state.pendingDetail = false;
        await loadDetail();
      }
      await refreshLists();
    });
    if (state.agent.role === "supervisor" && state.view === "supervisor") {
      debounce("overview", refreshOverview, 300);
      // The service writes the audit row before it sends the event: the list has it.
      if (event.type === "offer_withdrawn") debounce("missed", refreshMissed, 300);
    }
    // A handoff that left the queue may have become a callback request.
    if (event.type === "queue_changed") debounce("callbacksLive", refreshCallbacks, 300);
    if (event.type === "complaints_changed" || event.type === "complaint_assigned") {
      if (event.number && event.number === state.complaintNumber) state.pendingComplaint = true;
      debounce("complaintsLive", () => {
        refreshComplaints();
        if (state.pendingComplaint) {
          state.pendingComplaint = false;
          loadComplaint();
        }
      }, 300);
    }
    if (event.type === "complaint_assigned" && event.agent_id === me) {
      showStatus(tx("complaint.assigned_to_you") + " · " + event.number);
    }
    if (event.type === "offered" && event.agent_id === me) {
      tellAbout(tx("event.offered"), event.conversation_id,
        event.overflowed ? " · " + tx("overflow.badge") : "");
    } else if (event.type === "transferred" && event.agent === me && event.from !== me) {
      tellAbout(tx("event.transferred_in"), event.conversation_id);
    } else if (event.type === "reassigned" && event.from === me) {
      // No longer this agent's: the open conversation says why instead of "gone".
      if (event.conversation_id === state.currentId) state.closed = {status: "reassigned"};
      tellAbout(tx(event.by === "system" ? "event.returned_away" : "event.reassigned_away"),
        event.conversation_id);
    } else if (event.type === "reassigned" && event.agent_id === me) {
      tellAbout(tx("event.reassigned_in"), event.conversation_id);
    } else if (event.type === "offer_withdrawn" && event.agent_id === me) {
      // The service set this agent away for a missed offer: the menu must say so.
      showPresence("away");
      tellAbout(tx("event.offer_withdrawn"), event.conversation_id);
    }
  }

  /** A notice about a conversation, titled as the agent's lists title it: a newly offered one
   * is not in them yet, so they are read first (one that left them is titled as it was). */
  async function tellAbout(text, id, extra) {
    if (!("customer_verified" in knownConversation(id))) await refreshLists();
    showStatus(text + " · " + conversationTitle(knownConversation(id)) + (extra || ""));
  }

  function showPresence(presence) {
    $("presence-select").value = presence;
    $("presence-select").dataset.current = presence;
  }

  // ---------------------------------------------------------------- complaints (work queue)

  const complaintPath = (number) => "/api/v1/agent/complaints/" + encodeURIComponent(number);

  /** The queue is for the complaints team and supervisors (the service decides the same). */
  function onComplaintsTeam() {
    const agent = state.agent;
    return Boolean(agent && (agent.role === "supervisor" || (agent.skills || []).includes("complaints")));
  }

  function listOf(answer, name) {
    const items = answer && Array.isArray(answer[name]) ? answer[name] : [];
    return items.filter((item) => item && typeof item === "object");
  }

  async function refreshComplaints() {
    if (!state.agent || !onComplaintsTeam()) return;
    try {
      const answer = await api("GET", "/api/v1/agent/complaints");
      if (!state.agent) return;
      state.complaints = {queue: listOf(answer, "queue"), mine: listOf(answer, "mine"), team: listOf(answer, "team")};
      state.complaintsAt = Date.now();
      renderComplaintLists();
    } catch (error) {
      if (error.status !== 401) showError(error);
    }
  }

  function renderComplaintLists() {
    for (const kind of ["mine", "queue", "team"]) {
      const items = state.complaints[kind];
      $("complaints-" + kind).replaceChildren(...items.map((item) => complaintItem(item, kind)));
      $("complaints-" + kind + "-empty").hidden = items.length > 0;
      $("complaints-" + kind + "-count").textContent = String(items.length);
    }
    $("complaints-team-panel").hidden = !(state.agent && state.agent.role === "supervisor");
    // Labelled counts, readable without hovering.
    const counts = {queue: state.complaints.queue.length, mine: state.complaints.mine.length};
    $("complaints-tab-count").replaceChildren(bi("complaints.tab_count", filled("complaints.tab_count", counts)));
  }

  function overduePill(testid) {
    return el("span", {className: "pill pill-overdue", testid}, tx("callbacks.overdue"));
  }

  function languageText(language) {
    return T["lang." + language] ? tx("lang." + language) : String(language || "");
  }

  /** Its outcome's text or e-mail could not go: the customer waits for someone to tell them. */
  function undeliveredPill(testid) {
    return el("span", {className: "pill pill-undelivered", testid, title: tx("complaint.undelivered_hint")},
      tx("complaint.undelivered"));
  }

  function complaintItem(item, kind) {
    const number = String(item.number || "");
    const overdue = Boolean(item.overdue);
    const undelivered = Boolean(item.undelivered);
    const selected = number === state.complaintNumber;
    const top = el("span", {className: "item-row"},
      el("span", {className: "item-title ticket-number"}, number), priorityPill(item.priority),
      overdue ? overduePill("complaint-overdue") : null, undelivered ? undeliveredPill("complaint-undelivered") : null);
    const meta = el("span", {className: "item-row item-meta"}, el("span", {}, categoryText(item.category)),
      el("span", {className: "lang"}, languageText(item.language)), channelBadge(item.channel));
    if (kind === "team" && item.owner_agent_id) {
      meta.append(el("span", {className: "tag", testid: "complaint-item-owner",
        title: tx("complaint.owner") + " " + String(item.owner_agent_id)}, agentName(item.owner_agent_id)));
    }
    const due = el("span", {className: "item-row item-meta complaint-due"},
      el("time", {datetime: item.due_at || null, testid: "complaint-due"},
        tx("complaint.due") + " " + fmtDue(item.due_at)));
    const button = el("button", {type: "button",
      className: "conv-item complaint-item" + (selected ? " is-selected" : "") + (overdue ? " is-overdue" : "")
        + (undelivered ? " is-undelivered" : ""),
      testid: "complaint-item", "data-number": number, "data-kind": kind, "data-overdue": String(overdue),
      "data-undelivered": String(undelivered),
      "aria-current": selected ? "true" : null}, top, meta, due);
    button.addEventListener("click", () => openComplaint(number));
    return el("li", {}, button);
  }

  async function openComplaint(number) {
    if (number !== state.complaintNumber) {
      state.complaintNumber = number;
      state.complaint = null;
      state.complaintGone = false;
      state.complaintRevealed = {};
      $("complaint-resolution").value = "";
      $("complaint-note").value = "";
      $("complaint-reassign-agent").value = "";
      for (const id of ["complaint-resolve-error", "complaint-note-error"]) clearError($(id));
    }
    renderComplaintLists();
    await loadComplaint(true);
    $("complaint-title").focus();
  }

  async function loadComplaint(explicit) {
    const number = state.complaintNumber;
    if (!number) return;
    const seq = ++state.complaintSeq;
    try {
      const detail = await api("GET", complaintPath(number));
      if (seq !== state.complaintSeq || number !== state.complaintNumber) return;
      state.complaint = detail;
      state.complaintGone = false;
    } catch (error) {
      if (seq !== state.complaintSeq || number !== state.complaintNumber) return;
      if (error.status === 404) {
        // Claimed by a colleague, or reassigned: no longer this agent's to see.
        state.complaint = null;
        state.complaintGone = true;
        if (explicit) showError(error);
      } else if (error.status !== 401) {
        showError(error);
      }
    }
    renderComplaint();
  }

  function clearComplaint() {
    state.complaintNumber = null;
    state.complaint = null;
    state.complaintGone = false;
    state.complaintRevealed = {};
    state.complaintSeq += 1;
    renderComplaint();
  }

  function isComplaintOwner(detail) {
    return Boolean(detail && state.agent && detail.owner_agent_id === state.agent.agent_id);
  }

  /** Notes, the contact in full, release and resolve: its owner and supervisors; an undelivered
   * outcome nobody owns: the complaints team too (the service decides the same). */
  function mayActOnComplaint(detail) {
    if (!detail || !state.agent) return false;
    if (state.agent.role === "supervisor" || isComplaintOwner(detail)) return true;
    return Boolean(!detail.owner_agent_id && detail.undelivered && onComplaintsTeam());
  }

  function renderComplaint() {
    const view = $("complaint-view");
    const detail = state.complaint;
    const number = state.complaintNumber;
    const shown = Boolean(number && (detail || state.complaintGone));
    $("complaint-placeholder").hidden = shown;
    $("complaint-body").hidden = !shown;
    view.dataset.status = detail ? String(detail.status) : state.complaintGone ? "gone" : "";
    if (number) view.setAttribute("data-number", number);
    else view.removeAttribute("data-number");
    if (!shown) return;
    $("complaint-title").textContent = number;
    renderComplaintOutcome();
    const meta = $("complaint-meta");
    meta.replaceChildren();
    const actionIds = ["complaint-claim", "complaint-release", "complaint-reassign-form", "complaint-note-form",
      "complaint-resolve-form"];
    if (!detail) {
      meta.append(el("span", {className: "muted", testid: "complaint-gone"}, tx("complaint.gone")));
      for (const id of actionIds) $(id).hidden = true;
      $("complaint-facts").replaceChildren();
      $("complaint-history").replaceChildren();
      return;
    }
    const open = COMPLAINT_OPEN.includes(detail.status);
    meta.append(ticketStatusPill(detail.status), priorityPill(detail.priority),
      el("span", {className: "tag"}, categoryText(detail.category)),
      el("span", {className: "tag"}, languageText(detail.language)), channelBadge(detail.channel));
    if (detail.overdue) meta.append(overduePill("complaint-detail-overdue"));
    if (detail.undelivered) meta.append(undeliveredPill("complaint-detail-undelivered"));
    meta.append(el("span", {className: "tag", testid: "complaint-owner", "data-owner": detail.owner_agent_id || ""},
      detail.owner_agent_id ? tx("complaint.owner") + " " + agentText(detail.owner_agent_id) : tx("complaint.unowned")));
    const acting = mayActOnComplaint(detail);
    $("complaint-claim").hidden = !(open && !detail.owner_agent_id && onComplaintsTeam());
    $("complaint-release").hidden = !(open && detail.owner_agent_id && acting);
    $("complaint-reassign-form").hidden = !(open && state.agent.role === "supervisor");
    // The complaints team by name (the service refuses anyone else, and says why).
    agentChoices("complaint-agents", (m) => (m.skills || []).includes("complaints")
      && m.agent_id !== detail.owner_agent_id);
    $("complaint-note-form").hidden = !acting;
    $("complaint-resolve-form").hidden = !(open && acting);
    renderResolveWarning(open ? detail.outcome_notice_to : null);
    renderComplaintFacts(detail);
    renderComplaintHistory(detail);
  }

  function fact(key, value, testid) {
    return [el("dt", {}, bi(key)), el("dd", {testid}, ...(Array.isArray(value) ? value : [value]))];
  }

  function customerText(customer) {
    if (!customer || typeof customer !== "object") return tx("complaint.anonymous");
    const parts = [customer.display_name, customer.customer_number,
      customer.segment && T["segment." + customer.segment] ? tx("segment." + customer.segment) : customer.segment];
    return parts.filter(Boolean).map(String).join(" · ");
  }

  function renderComplaintFacts(detail) {
    const none = tx("context.none");
    const rows = [fact("complaint.description", el("span", {className: "prewrap"}, String(detail.description || none)),
      "complaint-description")];
    if (detail.amount) {
      rows.push(fact("complaint.amount", String(detail.amount) + (detail.currency ? " " + detail.currency : ""),
        "complaint-amount"));
    }
    if (detail.incident_date) rows.push(fact("complaint.incident_date", String(detail.incident_date), "complaint-date"));
    if (detail.card_last_four) rows.push(fact("complaint.card", "**** " + detail.card_last_four, "complaint-card"));
    // The form's choices have names; an agent-opened complaint's wish is free text.
    const wish = String(detail.desired_outcome || "");
    rows.push(fact("complaint.desired_outcome", T["wish." + wish] ? tx("wish." + wish) : wish || none,
      "complaint-desired-outcome"));
    rows.push(fact("contact.label", complaintContact(detail), "complaint-contact"));
    // Before resolving only: once resolved, the history says how the customer was told.
    const noticeTo = COMPLAINT_OPEN.includes(detail.status) ? noticeToLine(detail.outcome_notice_to) : null;
    if (noticeTo) rows.push(fact("notice_to.label", noticeTo, "complaint-notice-to"));
    // Resolved, and its text or e-mail could not go: until someone tells the customer.
    const undelivered = detail.undelivered_notice && typeof detail.undelivered_notice === "object"
      ? detail.undelivered_notice : null;
    if (undelivered) rows.push(fact("notice_to.label", undeliveredNodes(detail, undelivered), "complaint-undelivered-notice"));
    rows.push(fact("complaint.customer", customerText(detail.customer), "complaint-customer"));
    rows.push(fact("complaint.created", fmtDue(detail.created_at), "complaint-created"));
    rows.push(fact("complaint.due", fmtDue(detail.due_at), "complaint-due-at"));
    if (detail.claimed_at) rows.push(fact("complaint.claimed_at", fmtDue(detail.claimed_at), "complaint-claimed-at"));
    if (detail.resolution) rows.push(fact("complaint.resolution", String(detail.resolution), "complaint-resolution-text"));
    if (detail.customer_accepted === true || detail.customer_accepted === false) {
      rows.push(fact("complaint.verdict", tx(detail.customer_accepted ? "complaint.accepted" : "complaint.not_accepted")
        + (detail.customer_feedback ? " · " + detail.customer_feedback : ""), "complaint-verdict"));
    }
    $("complaint-facts").replaceChildren(...rows.flat());
  }

  /** How the customer asked to be told, and the number or address: masked until revealed. */
  function complaintContact(detail) {
    const preference = String(detail.contact_preference || "");
    const parts = [el("span", {testid: "complaint-contact-preference"},
      T["contact." + preference] ? tx("contact." + preference) : preference)];
    if (detail.contact) parts.push(" · ", ...contactNodes(detail, "complaint-contact"));
    return parts;
  }

  /** "The outcome will be sent to: <channel> <masked address>", or why no notice will go;
   * a channel or reason this console does not know, as the service names it. */
  function noticeToLine(noticeTo) {
    if (!noticeTo || typeof noticeTo !== "object") return null;
    if (cannotReach(noticeTo)) return noticeWarning(noticeTo);
    const going = Boolean(noticeTo.channel);
    const lead = T[going ? "notice_to.will_go" : "notice_to.none"];
    const code = String((going ? noticeTo.channel : noticeTo.reason) || "");
    const words = T["notice_to." + code] || [code, code];
    const line = el("span", {className: "notice-to", "data-channel": noticeTo.channel || "",
      "data-reason": noticeTo.reason || ""}, bi("line", {line: [lead[0] + words[0], lead[1] + words[1]]}));
    if (going && noticeTo.to) line.append(" ", String(noticeTo.to));
    return line;
  }

  /** The way the customer chose cannot work (nothing set up to send it, no address): the
   * agent is to call them. */
  function cannotReach(noticeTo) {
    return Boolean(noticeTo && typeof noticeTo === "object" && noticeTo.call_customer && !noticeTo.channel);
  }

  /** "The customer chose e-mail, but e-mail is not set up: please call the customer +86****8001". */
  function noticeWarning(noticeTo) {
    const specific = "notice_to.warn." + String(noticeTo.chosen || "") + "." + String(noticeTo.reason || "");
    const line = el("span", {className: "notice-to notice-warning", "data-channel": "",
      "data-reason": noticeTo.reason || "", "data-chosen": noticeTo.chosen || ""},
    bi(T[specific] ? specific : "notice_to.warn"));
    if (noticeTo.call_to) line.append(" ", el("span", {className: "call-to", testid: "notice-call-to"}, String(noticeTo.call_to)));
    else if (noticeTo.reason !== "no_phone") line.append(" ", bi("notice_to.no_number"));
    return line;
  }

  /** Before resolving, beside the resolution itself: the customer will not hear it unless called. */
  function renderResolveWarning(noticeTo) {
    const box = $("complaint-resolve-warning");
    const warn = cannotReach(noticeTo);
    box.replaceChildren(...(warn ? [noticeWarning(noticeTo)] : []));
    box.hidden = !warn;
  }

  /** The number to call instead of a text or e-mail that could not go: the ticket's own can be
   * revealed (audited); one from the customer's profile stays masked. */
  function callInsteadLine(callTo, detail) {
    if (!callTo) return outcomeLine("outcome.call_instead_no_number", "call_instead");
    const number = detail && detail.contact && detail.contact_kind === "phone"
      ? contactNodes(detail, "call-instead-contact")
      : [el("span", {className: "call-to", testid: "call-instead-to"}, String(callTo))];
    return outcomeLine("outcome.call_instead", "call_instead", ...number);
  }

  /** A resolved complaint whose text or e-mail could not go: what happened, whom to call, and
   * the button to say the customer was told. */
  function undeliveredNodes(detail, undelivered) {
    const nodes = [noticeLine(undelivered, null), callInsteadLine(undelivered.call_to, detail)];
    if (mayActOnComplaint(detail)) {
      const button = el("button", {type: "button", className: "btn btn-small", testid: "complaint-told",
        title: tx("complaint.told_hint")}, bi("complaint.told"));
      button.addEventListener("click", () => recordCustomerTold(detail.number, button));
      nodes.push(button);
    }
    return [el("span", {className: "undelivered-notice"}, ...nodes)];
  }

  async function recordCustomerTold(number, button) {
    button.disabled = true;
    try {
      await api("POST", complaintPath(number) + "/told", {});
      // The resolve answer's "please call" is done with.
      delete state.complaintOutcome[number];
      showStatus(tx("complaint.told_done") + " · " + number);
    } catch (error) {
      button.disabled = false;
      showError(error);
    }
    if (number !== state.complaintNumber) return;
    await loadComplaint();
    refreshComplaints();
  }

  function contactNodes(detail, testid) {
    const full = state.complaintRevealed[detail.number];
    const value = el("span", {className: "ticket-contact-value", testid: testid + "-value",
      "data-revealed": String(Boolean(full))}, full || String(detail.contact));
    if (full || !mayActOnComplaint(detail)) return [value];
    const button = el("button", {type: "button", className: "link-button", testid: testid + "-reveal",
      title: tx("contact.reveal_hint")}, bi("contact.reveal"));
    button.addEventListener("click", () => revealComplaintContact(detail.number, button));
    return [value, " ", button];
  }

  async function revealComplaintContact(number, button) {
    button.disabled = true;
    try {
      const answer = await api("POST", complaintPath(number) + "/contact", {});
      if (number !== state.complaintNumber) return;
      state.complaintRevealed[number] = String(answer.contact);
      renderComplaint();
    } catch (error) {
      button.disabled = false;
      showError(error);
    }
  }

  function actorText(actor) {
    const who = String(actor || "");
    if (who === "bot") return tx("role.bot");
    if (who === "system") return tx("role.system");
    if (who.startsWith("customer:")) return tx("role.customer");
    return agentText(who);
  }

  function renderComplaintHistory(detail) {
    const steps = Array.isArray(detail.history) ? detail.history : [];
    $("complaint-history").replaceChildren(...steps.map((step) => el("li", {className: "history-step",
      testid: "complaint-history-step", "data-actor": String(step.actor || ""), "data-kind": String(step.kind || "note")},
    el("div", {className: "line-head"}, el("span", {className: "who"}, actorText(step.actor)),
      ticketStatusPill(step.status), el("time", {className: "when", datetime: step.at || null}, fmtDue(step.at))),
    el("p", {className: "line-text"}, historyText(step)))));
  }

  /** A line kefu wrote in the interface's language(s); an agent's note or a resolution (or
   * a kind this console does not know) as stored. */
  function historyText(step) {
    const given = step.params && typeof step.params === "object" ? step.params : {};
    if (step.kind === "outcome") return noticeLine(given, null);
    // The agents a line names, by name (the id beside it).
    const params = {...given};
    for (const key of ["by", "owner", "previous_owner"]) {
      if (params[key]) params[key] = agentText(params[key]);
    }
    const key = historyKey(String(step.kind || "note"), params);
    return key ? bi(key, filled(key, params)) : String(step.note || "");
  }

  function historyKey(kind, params) {
    if (kind === "released" && params.previous_owner) return "history.released_for";
    if (kind === "reassigned" && !params.previous_owner) return "history.reassigned_from_queue";
    return T["history." + kind] ? "history." + kind : null;
  }

  /** The text pair of `key` with each {name} replaced by params[name], for bi() and tx(). */
  function filled(key, params) {
    const fill = (text) => text.replace(/\{(\w+)\}/g, (_, name) => String(params[name] ?? ""));
    return {[key]: T[key].map(fill)};
  }

  // What happened to the customer after a resolve, from the service's answer.

  function outcomeLine(key, kind, ...extra) {
    return el("span", {className: "outcome-line", testid: "outcome-line", "data-outcome": kind}, bi(key), ...extra);
  }

  /** The text, e-mail or call the customer chose; `call` is what to show for a call. */
  function noticeLine(notice, call) {
    const channel = notice.channel === "email" ? "email" : "sms";
    const to = notice.to ? " (" + notice.to + ")" : "";
    if (notice.status === "sent") return outcomeLine("outcome." + channel + ".sent", channel + "_sent", to);
    if (notice.status === "call_customer") {
      if (call) return outcomeLine("outcome.call", "call_customer", ...call);
      return notice.to ? outcomeLine("outcome.call", "call_customer", notice.to)
        : outcomeLine("outcome.call_no_number", "call_customer");
    }
    if (notice.status === "already_told") return outcomeLine("outcome.sms.already_told", "already_told", to);
    // Tried and refused for a reason that may pass: the outbox tries again, or has given up.
    if (notice.status === "gave_up" || (notice.status === "pending" && notice.reason)) {
      const kind = notice.status === "gave_up" ? "gave_up" : "retrying";
      const line = outcomeLine("outcome." + kind, channel + "_" + kind, to);
      line.title = String(notice.reason || "");
      return line;
    }
    if (["not_configured", "pending"].includes(notice.status)) {
      return outcomeLine("outcome." + channel + "." + notice.status, channel + "_" + notice.status, to);
    }
    return outcomeLine("outcome." + channel + ".failed", channel + "_failed", to,
      notice.reason ? (state.ui === "en" ? ": " : "：") + notice.reason : "");
  }

  function outcomeNodes(answer, call) {
    const nodes = [];
    const notice = answer.outcome_notice && typeof answer.outcome_notice === "object" ? answer.outcome_notice : null;
    if (answer.customer_notified) nodes.push(outcomeLine("outcome.told_here", "told_here"));
    else if (answer.with_an_agent) nodes.push(outcomeLine("ticket.with_agent", "with_agent"));
    else if (!notice) nodes.push(outcomeLine("ticket.not_notified", "not_notified"));
    if (notice) nodes.push(noticeLine(notice, call));
    return nodes;
  }

  /** Something is left for the agent to do, or the customer was not reached. */
  function outcomeNeedsAgent(answer) {
    const notice = answer.outcome_notice;
    if (notice && typeof notice === "object") return !["sent", "already_told"].includes(notice.status);
    return !answer.customer_notified;
  }

  /** The resolve answer, with a notice still pending then replaced by its final result once
   * the detail says it could not go (given up after its retries). */
  function settledAnswer(answer, detail) {
    const notice = answer.outcome_notice;
    const final = detail && detail.undelivered_notice;
    if (!notice || typeof notice !== "object" || notice.status !== "pending" || !final || typeof final !== "object") {
      return answer;
    }
    return {...answer, outcome_notice: {...notice, status: final.status, reason: final.reason}};
  }

  function renderComplaintOutcome() {
    const box = $("complaint-outcome");
    let answer = state.complaintOutcome[state.complaintNumber];
    if (!answer) {
      box.hidden = true;
      box.replaceChildren();
      return;
    }
    const detail = state.complaint;
    // A call goes to the number the ticket holds: masked, revealed on request (audited).
    const call = detail && detail.contact && detail.contact_kind === "phone" ? contactNodes(detail, "outcome-contact") : null;
    answer = settledAnswer(answer, detail);
    box.dataset.customerNotified = String(!outcomeNeedsAgent(answer));
    const nodes = outcomeNodes(answer, call);
    const notice = answer.outcome_notice;
    if (notice && typeof notice === "object" && UNDELIVERED.includes(notice.status)) {
      // Not sent, and not to be: the agent tells the customer (the number as the detail knows it).
      const known = detail && (detail.undelivered_notice || detail.outcome_notice_to);
      nodes.push(callInsteadLine(known && typeof known === "object" ? known.call_to : null, detail));
    }
    box.replaceChildren(el("div", {className: "notice-text"},
      el("strong", {className: "outcome-title"}, bi("ticket.resolved")), ...nodes));
    box.hidden = false;
  }

  // Claim, release, reassign, note, resolve.

  // Claim or release: one button, one POST, then the detail and the lists again.
  async function changeOwnership(operation, buttonId, doneKey) {
    const number = state.complaintNumber;
    const button = $(buttonId);
    button.disabled = true;
    try {
      await api("POST", complaintPath(number) + "/" + operation, {});
      showStatus(tx(doneKey) + " · " + number);
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
    await loadComplaint();
    refreshComplaints();
  }

  const claimComplaint = () => changeOwnership("claim", "complaint-claim", "complaint.claimed");
  const releaseComplaint = () =>
    changeOwnership("release", "complaint-release", "complaint.released");

  async function submitComplaintReassign(event) {
    event.preventDefault();
    const number = state.complaintNumber;
    const input = $("complaint-reassign-agent");
    const agentId = agentIdOf(input.value);
    if (!agentId) {
      showError(tx("complaint.need_agent"));
      input.focus();
      return;
    }
    const button = $("complaint-reassign");
    button.disabled = true;
    try {
      await api("POST", complaintPath(number) + "/reassign", {agent_id: agentId});
      input.value = "";
      showStatus(tx("complaint.reassigned") + " " + agentText(agentId) + " · " + number);
    } catch (error) {
      showError(error);
    } finally {
      button.disabled = false;
    }
    await loadComplaint();
    refreshComplaints();
  }

  async function submitComplaintNote(event) {
    event.preventDefault();
    const errorNode = $("complaint-note-error");
    clearError(errorNode);
    const input = $("complaint-note");
    const note = input.value.trim();
    if (!note) {
      showError(tx("complaint.need_note"), errorNode);
      input.focus();
      return;
    }
    const button = $("complaint-add-note");
    button.disabled = true;
    try {
      await api("POST", complaintPath(state.complaintNumber) + "/notes", {note});
      input.value = "";
      showStatus(tx("complaint.noted"));
      await loadComplaint();
    } catch (error) {
      showError(error, errorNode);
    } finally {
      button.disabled = false;
    }
  }

  async function submitComplaintResolve(event) {
    event.preventDefault();
    const errorNode = $("complaint-resolve-error");
    clearError(errorNode);
    const number = state.complaintNumber;
    const input = $("complaint-resolution");
    const resolution = input.value.trim();
    if (!resolution) {
      showError(tx("ticket_resolve.need_resolution"), errorNode);
      input.focus();
      return;
    }
    const button = $("complaint-resolve");
    button.disabled = true;
    try {
      const answer = await api("POST", complaintPath(number) + "/resolve", {resolution});
      state.complaintOutcome[number] = answer && typeof answer === "object" ? answer : {};
      input.value = "";
      state.ticketStatus[number] = "resolved";
      showStatus(tx("ticket.resolved") + " · " + number);
    } catch (error) {
      showError(error, errorNode);
      // Resolved, reassigned or released meanwhile: the form goes with the reload.
      if (error.status === 404 || error.status === 409) showError(error);
    } finally {
      button.disabled = false;
    }
    await loadComplaint();
    refreshComplaints();
  }

  // ---------------------------------------------------------------- supervisor

  // Each view: its tab and its panel.
  const VIEWS = {workspace: ["tab-workspace", "workspace"], complaints: ["tab-complaints", "complaints-view"],
    supervisor: ["tab-supervisor", "supervisor-view"]};

  function showView(view) {
    state.view = view;
    for (const [name, [tab, panel]] of Object.entries(VIEWS)) {
      const selected = name === view;
      $(panel).hidden = !selected;
      $(tab).setAttribute("aria-selected", String(selected));
      $(tab).tabIndex = selected ? 0 : -1;
    }
    if (view === "supervisor") refreshSupervisor();
    if (view === "complaints") refreshComplaints();
  }

  /** The next (or previous) tab the agent has, for the arrow keys. */
  function nextView(step) {
    const shown = Object.keys(VIEWS).filter((name) => !$(VIEWS[name][0]).hidden);
    const at = shown.indexOf(state.view);
    return shown[(at + step + shown.length) % shown.length];
  }

  function refreshSupervisor() {
    refreshOverview();
    refreshMissed();
  }

  async function refreshOverview() {
    if (!state.agent || state.agent.role !== "supervisor") return;
    try {
      state.overview = await api("GET", "/api/v1/supervisor/overview");
      state.overviewAt = new Date();
      renderOverview(state.overview);
    } catch (error) {
      if (error.status !== 401) showError(error);
    }
  }

  /** Conversations a supervisor can open (read-only unless they take it), by their titles. */
  function conversationLinks(items) {
    if (!items.length) return [tx("context.none")];
    return items.map((item) => {
      const id = String(item.conversation_id);
      const link = el("button", {type: "button", className: "link-button",
        testid: "sup-open-conversation", "data-conversation-id": id,
        title: tx("conversation.id") + " " + id}, conversationTitle(item));
      link.addEventListener("click", () => {
        showView("workspace");
        openConversation(id);
      });
      return link;
    });
  }

  /** An agent's conversations, each with the supervisor's reassign control. */
  function heldConversations(agent) {
    const held = Array.isArray(agent.held) ? agent.held
      : (agent.conversations || []).map((id) => ({conversation_id: id}));
    if (!held.length) return [tx("context.none")];
    return held.map((item) => {
      const id = String(item.conversation_id);
      const button = el("button", {type: "button", className: "btn btn-small", testid: "sup-reassign",
        "data-conversation-id": id}, tx("action.reassign"));
      button.addEventListener("click", () => openReassign(item, agent.agent_id));
      return el("span", {className: "sup-held"}, ...conversationLinks([item]), button);
    });
  }

  /** Back to the queue, or an online agent other than the holder (the service checks the rest). */
  function openReassign(item, holder) {
    state.reassigning = String(item.conversation_id);
    state.reassigningTitle = conversationTitle(item);
    clearError($("reassign-error"));
    $("reassign-conversation").textContent = conversationTitle(item);
    $("reassign-conversation").title = tx("conversation.id") + " " + state.reassigning;
    const agents = ((state.overview && state.overview.agents) || [])
      .filter((a) => a.online && a.agent_id !== holder);
    $("reassign-target").replaceChildren(el("option", {value: ""}, tx("reassign.queue")),
      ...agents.map((a) => el("option", {value: a.agent_id},
        (a.name && a.name !== a.agent_id ? a.name + " (" + a.agent_id + ")" : a.agent_id)
        + " · " + (a.active || 0) + "/" + (a.max_chats || 0))));
    $("reassign-dialog").showModal();
  }

  async function submitReassign(event) {
    event.preventDefault();
    const errorNode = $("reassign-error");
    clearError(errorNode);
    const id = state.reassigning;
    const target = $("reassign-target").value;
    const button = $("reassign-confirm");
    button.disabled = true;
    try {
      await api("POST", "/api/v1/supervisor/conversations/" + encodeURIComponent(id) + "/reassign",
        target ? {agent_id: target} : {queue: true});
      $("reassign-dialog").close();
      showStatus((target ? tx("reassign.done_agent") + " " + agentText(target) : tx("reassign.done_queue"))
        + " · " + state.reassigningTitle);
      refreshOverview();
    } catch (error) {
      showError(error, errorNode);
    } finally {
      button.disabled = false;
    }
  }

  function tile(labelKey, value, testid, extraClass) {
    return el("div", {className: "tile" + (extraClass ? " " + extraClass : ""), testid},
      el("span", {className: "tile-label"}, bi(labelKey)),
      el("span", {className: "tile-value"}, value));
  }

  function renderOverview(overview) {
    $("sup-updated").textContent = state.overviewAt
      ? tx("sup.updated") + " " + zoneClock(state.overviewAt) : "";
    const lengths = overview.queue_lengths || {};
    const breaches = overview.sla_breaches || [];
    $("sup-queue").replaceChildren(
      tile("sup.waiting", String(overview.waiting || 0), "sup-waiting"),
      ...["urgent", "high", "normal"].map((p) => tile("priority." + p, String(lengths[p] || 0),
        "sup-queue-" + p, "tile-priority-" + p)),
      tile("sup.p50", fmtDuration(overview.wait_p50_seconds), "sup-p50"),
      tile("sup.p95", fmtDuration(overview.wait_p95_seconds), "sup-p95"),
      tile("sup.breach_count", String(breaches.length), "sup-breach-count", breaches.length ? "tile-alert" : ""));

    const agents = overview.agents || [];
    $("sup-agents-body").replaceChildren(...agents.map((agent) => {
      const max = Math.max(1, Number(agent.max_chats) || 0);
      const load = el("meter", {min: 0, max, low: max - 0.5, high: max - 0.1, optimum: 0,
        value: Math.min(max, Number(agent.active) || 0)});
      return el("tr", {testid: "sup-agent-row", "data-agent-id": agent.agent_id},
        el("td", {}, el("strong", {}, agent.name || agent.agent_id), el("br"),
          el("span", {className: "muted small"}, agent.agent_id)),
        el("td", {}, el("span", {className: "presence presence-" + agent.presence}, tx("presence." + agent.presence)),
          ...(agent.disconnected ? [" ", el("span", {className: "pill pill-disconnected", testid: "sup-disconnected",
            title: tx("sup.disconnected_hint")}, tx("sup.disconnected"))] : [])),
        el("td", {className: "load"}, load, " ", (agent.active || 0) + "/" + (agent.max_chats || 0)),
        el("td", {className: "small"}, ...heldConversations(agent)));
    }));
    if (!agents.length) {
      $("sup-agents-body").append(el("tr", {}, el("td", {colspan: 4, className: "muted"}, tx("sup.no_agents"))));
    }

    $("sup-breaches-body").replaceChildren(...breaches.map((breach) => el("tr", {testid: "sup-breach-row"},
      el("td", {}, ...conversationLinks([breach])),
      el("td", {}, priorityPill(breach.priority)),
      el("td", {}, fmtDuration(breach.waited_seconds)))));
    if (!breaches.length) {
      $("sup-breaches-body").append(el("tr", {}, el("td", {colspan: 3, className: "muted"}, tx("sup.no_breaches"))));
    }

    const kpi = overview.kpi_today || {};
    const shown = (value, suffix) => (value === null || value === undefined ? "—" : value + (suffix || ""));
    $("sup-kpi").replaceChildren(
      tile("kpi.conversations", shown(kpi.conversations), "kpi-conversations"),
      tile("kpi.csat_responses", shown(kpi.csat_responses), "kpi-csat-responses"),
      tile("kpi.csat_percent", shown(kpi.csat_percent, "%"), "kpi-csat-percent"),
      tile("kpi.csat_average", shown(kpi.csat_average), "kpi-csat-average"),
      tile("kpi.complaints", shown(kpi.complaints), "kpi-complaints"),
      // complaint_rate is complaints per conversation (a fraction): shown as a percentage.
      tile("kpi.complaint_rate", kpi.complaint_rate === null || kpi.complaint_rate === undefined
        ? "—" : (Math.round(kpi.complaint_rate * 1000) / 10) + "%", "kpi-complaint-rate"),
      tile("kpi.answered_within_sla_percent", shown(kpi.answered_within_sla_percent, "%"), "kpi-sla"),
      tile("kpi.overdue_tickets", shown(kpi.overdue_tickets), "kpi-overdue",
        kpi.overdue_tickets ? "tile-alert" : ""));
    // The missed offers name agents as the overview does.
    if (state.missed) renderMissed(state.missed);
  }

  async function refreshMissed() {
    if (!state.agent || state.agent.role !== "supervisor") return;
    try {
      const answer = await api("GET", "/api/v1/supervisor/missed-offers");
      if (!state.agent) return;
      state.missed = answer && typeof answer === "object" ? answer : null;
      if (state.missed) renderMissed(state.missed);
    } catch (error) {
      if (error.status !== 401) showError(error);
    }
  }

  /** An agent's name as the overview knows it, with their id. */
  function agentCell(agentId) {
    const known = ((state.overview && state.overview.agents) || []).find((a) => a.agent_id === agentId);
    const name = known && known.name && known.name !== agentId ? known.name : null;
    return el("td", {}, name ? el("strong", {}, name) : null, name ? el("br") : null,
      el("span", {className: name ? "muted small" : ""}, agentId));
  }

  function renderMissed(missed) {
    const offers = Array.isArray(missed.missed_offers) ? missed.missed_offers : [];
    $("sup-missed-count").textContent = String(Number(missed.count) || offers.length);
    $("sup-missed-body").replaceChildren(...offers.map((offer) => el("tr", {testid: "sup-missed-row",
      "data-conversation-id": offer.conversation_id, "data-agent-id": offer.agent_id},
    el("td", {}, el("time", {datetime: offer.occurred_at}, fmtTime(Date.parse(offer.occurred_at) / 1000))),
    agentCell(String(offer.agent_id || "")),
    el("td", {}, ...conversationLinks([offer])),
    el("td", {}, fmtDuration(offer.offered_seconds)))));
    if (!offers.length) {
      $("sup-missed-body").append(el("tr", {}, el("td", {colspan: 4, className: "muted"}, tx("sup.no_missed"))));
    }
  }

  // ---------------------------------------------------------------- wiring

  function bindEvents() {
    $("login-form").addEventListener("submit", submitLogin);
    $("logout-button").addEventListener("click", logout);
    $("presence-select").addEventListener("change", action(changePresence));
    $("ui-language").addEventListener("change", () => {
      state.ui = $("ui-language").value;
      safeStorage("set", "kefu.ui", state.ui);
      applyUiLanguage();
    });
    for (const [name, [tab]] of Object.entries(VIEWS)) {
      $(tab).addEventListener("click", () => showView(name));
      $(tab).addEventListener("keydown", (event) => {
        if (event.key !== "ArrowLeft" && event.key !== "ArrowRight") return;
        const next = nextView(event.key === "ArrowRight" ? 1 : -1);
        showView(next);
        $(VIEWS[next][0]).focus();
      });
    }
    $("sup-refresh").addEventListener("click", refreshSupervisor);
    $("accept-button").addEventListener("click", action(accept));
    $("transfer-button").addEventListener("click", openTransfer);
    $("resolve-button").addEventListener("click", openResolve);
    $("reply-form").addEventListener("submit", action(sendReply));
    $("reply-input").addEventListener("input", updateReplyCount);
    $("reply-input").addEventListener("keydown", (event) => {
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) action(sendReply)(event);
    });
    $("canned-language").addEventListener("change", renderCanned);
    $("canned-select").addEventListener("change", insertCanned);
    for (const radio of document.querySelectorAll("input[name='transfer-kind']")) {
      radio.addEventListener("change", syncTransferKind);
    }
    $("transfer-form").addEventListener("submit", action(submitTransfer));
    $("transfer-cancel").addEventListener("click", () => $("transfer-dialog").close());
    $("reassign-form").addEventListener("submit", action(submitReassign));
    $("reassign-cancel").addEventListener("click", () => $("reassign-dialog").close());
    $("resolve-form").addEventListener("submit", action(submitResolve));
    $("resolve-cancel").addEventListener("click", () => $("resolve-dialog").close());
    $("ticket-button").addEventListener("click", openTicket);
    $("ticket-form").addEventListener("submit", action(submitTicket));
    $("ticket-cancel").addEventListener("click", () => $("ticket-dialog").close());
    $("ticket-description").addEventListener("input", () => {
      updateTicketCount();
      clearError($("ticket-error"));
    });
    $("ticket-category").addEventListener("change", () => clearError($("ticket-error")));
    $("ticket-resolution").addEventListener("input", () => clearError($("ticket-resolve-error")));
    $("ticket-resolve-form").addEventListener("submit", action(submitTicketResolve));
    $("ticket-resolve-cancel").addEventListener("click", () => $("ticket-resolve-dialog").close());
    $("ticket-banner-close").addEventListener("click", () => showTicketBanner(null));
    $("complaint-claim").addEventListener("click", action(claimComplaint));
    $("complaint-release").addEventListener("click", action(releaseComplaint));
    $("complaint-reassign-form").addEventListener("submit", action(submitComplaintReassign));
    $("complaint-note-form").addEventListener("submit", action(submitComplaintNote));
    $("complaint-resolve-form").addEventListener("submit", action(submitComplaintResolve));
    $("complaint-resolution").addEventListener("input", () => clearError($("complaint-resolve-error")));
    $("complaint-note").addEventListener("input", () => clearError($("complaint-note-error")));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", boot);
  else boot();
})();
