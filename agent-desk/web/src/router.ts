// The pages of each role. Every page is a link in the header (reachable with Tab), and
// the API enforces the same roles on every call and push.
import { createRouter, createWebHashHistory, type RouteRecordRaw } from 'vue-router';
import { desk } from './store';

const CENTER = ['operator', 'supervisor', 'leader', 'admin'];
const SUPERVISORS = ['supervisor', 'leader', 'admin'];
const ALL = [...CENTER, 'unit_handler'];

export interface Page { path: string; name: string; title: string; roles: string[]; inNav?: boolean; component: () => Promise<unknown> }

export const PAGES: Page[] = [
  { path: '/intake', name: 'intake', title: '来电受理', roles: ['operator'], component: () => import('./views/Intake.vue') },
  { path: '/inbox', name: 'inbox', title: '待办工单', roles: ['unit_handler'], component: () => import('./views/Inbox.vue') },
  { path: '/wallboard', name: 'wallboard', title: '监控大屏', roles: SUPERVISORS, component: () => import('./views/Wallboard.vue') },
  { path: '/dispatch', name: 'dispatch', title: '待派单', roles: ['operator', 'supervisor'], component: () => import('./views/Dispatch.vue') },
  { path: '/mine', name: 'mine', title: '我的工单', roles: ['operator'], component: () => import('./views/Mine.vue') },
  { path: '/drafts', name: 'drafts', title: '留言待补全', roles: ['operator'], component: () => import('./views/Drafts.vue') },
  { path: '/visits', name: 'visits', title: '人工回访', roles: ['operator', 'supervisor'], component: () => import('./views/Visits.vue') },
  { path: '/queues', name: 'queues', title: '研判与审批', roles: SUPERVISORS, component: () => import('./views/Queues.vue') },
  { path: '/stats', name: 'stats', title: '统计分析', roles: SUPERVISORS, component: () => import('./views/Stats.vue') },
  { path: '/bulletin', name: 'bulletin', title: '民情简报', roles: SUPERVISORS, component: () => import('./views/Bulletin.vue') },
  { path: '/search', name: 'search', title: '工单查询', roles: ALL, component: () => import('./views/Search.vue') },
  { path: '/knowledge', name: 'knowledge', title: '知识库维护', roles: ['supervisor', 'admin'], component: () => import('./views/Knowledge.vue') },
  { path: '/users', name: 'users', title: '用户管理', roles: ['admin'], component: () => import('./views/Users.vue') },
  { path: '/tickets/:id', name: 'ticket', title: '工单详情', roles: ALL, inNav: false, component: () => import('./views/Ticket.vue') },
  { path: '/password', name: 'password', title: '修改密码', roles: ALL, inNav: false, component: () => import('./views/Password.vue') },
];

export const pagesFor = (role: string | undefined): Page[] => PAGES.filter((p) => role && p.roles.includes(role));

const routes: RouteRecordRaw[] = [
  ...PAGES.map((p) => ({ path: p.path, name: p.name, component: p.component, meta: { title: p.title, roles: p.roles } })),
  { path: '/:rest(.*)*', redirect: () => ({ path: pagesFor(desk.user?.role)[0]?.path ?? '/password' }) },
];

export const router = createRouter({ history: createWebHashHistory(), routes });

router.beforeEach((to) => {
  if (!desk.user) return true;
  // On an initial or reset password there is only the password form.
  if (desk.user.initialPassword && to.name !== 'password') return { name: 'password' };
  const roles = (to.meta.roles as string[] | undefined) ?? [];
  if (roles.length && !roles.includes(desk.user.role)) return { path: pagesFor(desk.user.role)[0]?.path ?? '/password' };
  return true;
});
router.afterEach((to) => {
  document.title = `${(to.meta.title as string) ?? '工作台'} · 民声热线`;
});
