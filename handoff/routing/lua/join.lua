-- A customer's conversation on another channel starts while their handoff is open: it
-- joins that handoff. ARGV: prefix, sender (the new conversation), customer number,
-- now (s), channel. Returns {status, conversation holding the handoff, agent id}, or
-- {'none'} when the customer has no open handoff.
local prefix, sender, customer, now, channel = ARGV[1], ARGV[2], ARGV[3], ARGV[4], ARGV[5]
local own = redis.call('HMGET', prefix .. 'conv:' .. sender, 'status', 'agent')
if is_open(own[1]) then return {own[1], sender, own[2] or ''} end
local home, status = open_handoff_of(prefix, customer)
if not home then return {'none'} end
join_sender(prefix, home, sender, now, channel)
return {status, home, redis.call('HGET', prefix .. 'conv:' .. home, 'agent') or ''}
