-- A customer's conversation on another channel starts while their handoff is open: it
-- joins that handoff (or, quietly, kefu joins the customer's other conversations when the
-- handoff begins). ARGV: prefix, sender (the conversation), customer number, now (s),
-- channel, quiet ('1' or '0'). Returns {status, conversation holding the handoff, agent id},
-- or {'none'} when the customer has no open handoff.
local prefix, sender, customer, now, channel, quiet =
  ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5], ARGV[6]
local own = redis.call('HMGET', prefix .. 'conv:' .. sender, 'status', 'agent')
if is_open(own[1]) then return {own[1], sender, own[2] or ''} end
local home, status = open_handoff_of(prefix, customer)
if not home then return {'none'} end
join_sender(prefix, home, sender, now, channel, quiet)
return {status, home, redis.call('HGET', prefix .. 'conv:' .. home, 'agent') or ''}
