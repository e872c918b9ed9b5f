// The desk: Vue 3, Element Plus in zh-CN, ECharts for the charts (see agent-desk/README.md).
import { createApp } from 'vue';
import ElementPlus from 'element-plus';
import zhCn from 'element-plus/es/locale/lang/zh-cn';
import 'element-plus/dist/index.css';
import './desk.css';
import App from './App.vue';
import { router } from './router';
import { toastError } from './toast';

const app = createApp(App).use(ElementPlus, { locale: zhCn }).use(router);
// An error inside a page is said in a notice; the rest of the desk keeps working.
app.config.errorHandler = (e) => toastError(e);
app.mount('#app');
